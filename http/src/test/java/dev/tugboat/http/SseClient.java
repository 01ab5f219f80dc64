package dev.tugboat.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A test's reader of a text/event-stream: each frame (an event, or a comment) lands in a queue as
 * its reading thread parses it; {@link #next} waits for one with a deadline. Shared with the node's
 * tests through this module's test jar.
 */
public final class SseClient implements AutoCloseable {

  /** One frame: an event's id, type and data, or a comment (all else null). */
  public record Frame(String id, String event, String data, String comment) {
    public boolean isComment() {
      return comment != null;
    }
  }

  private final HttpResponse<Stream<String>> response;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final Thread reader;

  private SseClient(HttpResponse<Stream<String>> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens {@code url} with the headers given; the answer's status is {@link #status()}. */
  public static SseClient open(HttpClient client, String url, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
    headers.forEach(request::header);
    return new SseClient(client.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
  }

  public int status() {
    return response.statusCode();
  }

  public String contentType() {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  /** The next frame within {@code timeout}; fails the test when none comes. */
  public Frame next(Duration timeout) throws InterruptedException {
    Frame f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (f == null) {
      throw new AssertionError("no frame within " + timeout);
    }
    return f;
  }

  /** The next event (comments skipped) within {@code timeout}. */
  public Frame nextEvent(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Frame f = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (!f.isComment()) {
        return f;
      }
    }
  }

  private void read() {
    String id = null;
    String event = null;
    StringBuilder data = null;
    Iterator<String> lines = response.body().iterator();
    try {
      while (lines.hasNext()) {
        String line = lines.next();
        if (line.isEmpty()) {
          if (data != null || event != null || id != null) {
            frames.add(new Frame(id, event, data == null ? null : data.toString(), null));
          }
          id = null;
          event = null;
          data = null;
        } else if (line.startsWith(":")) {
          frames.add(new Frame(null, null, null, line.substring(1).strip()));
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
        }
      }
    } catch (RuntimeException e) {
      // the stream ended (closed by the test or the server)
    }
  }

  @Override
  public void close() {
    response.body().close();
  }
}
