package dev.tugboat.persistence;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tugboat.persistence.SimulationState.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The models of one deployment in deploy order: immutable, with lookup by model id in O(1) and an
 * update that copies one chunk of {@value #CHUNK} models plus the chunk index (not the whole list),
 * and ready / terminated / awaiting-Create counters kept up to date by each update. A simulation of
 * 10,000 models applies its ~40,000 events in linear time. Serialized as the plain list of models.
 */
public final class ModelTable implements Iterable<Model> {

  private static final int CHUNK = 64;

  /** Model id → position; built once per deployment and shared by every later table. */
  private final Map<String, Integer> index;
  /** Copy-on-write chunks: an update clones the outer array and one chunk, the rest is shared. */
  private final Model[][] chunks;
  private final int size;
  private final int ready;
  private final int terminated;
  private final int awaitingCreate;

  private ModelTable(Map<String, Integer> index, Model[][] chunks, int size, int ready, int terminated,
      int awaitingCreate) {
    this.index = index;
    this.chunks = chunks;
    this.size = size;
    this.ready = ready;
    this.terminated = terminated;
    this.awaitingCreate = awaitingCreate;
  }

  /** A table of {@code models} (ids unique; a repeated id keeps its first position). */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static ModelTable of(List<Model> models) {
    int n = models.size();
    Map<String, Integer> index = new HashMap<>(Math.max(16, n * 2));
    Model[][] chunks = new Model[(n + CHUNK - 1) / CHUNK][];
    int ready = 0;
    int terminated = 0;
    int awaiting = 0;
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = new Model[Math.min(CHUNK, n - c * CHUNK)];
    }
    for (int i = 0; i < n; i++) {
      Model m = models.get(i);
      chunks[i / CHUNK][i % CHUNK] = m;
      index.putIfAbsent(m.spec().modelId(), i);
      ready += m.ready() ? 1 : 0;
      terminated += m.termination() != null ? 1 : 0;
      awaiting += awaitsCreate(m) ? 1 : 0;
    }
    return new ModelTable(Collections.unmodifiableMap(index), chunks, n, ready, terminated, awaiting);
  }

  private static boolean awaitsCreate(Model m) {
    return !m.createAcknowledged() && m.termination() == null;
  }

  public int size() {
    return size;
  }

  /** Models that published ReadyForProcessing. */
  public int readyCount() {
    return ready;
  }

  /** Models that ended. */
  public int terminatedCount() {
    return terminated;
  }

  /** Models whose service has not accepted Create yet and that have not ended: Create is still owed. */
  public int awaitingCreateCount() {
    return awaitingCreate;
  }

  public Model get(int position) {
    return chunks[position / CHUNK][position % CHUNK];
  }

  public Optional<Model> byId(String modelId) {
    Integer position = index.get(modelId);
    return position == null ? Optional.empty() : Optional.of(get(position));
  }

  /** This table with the model of the same id replaced by {@code updated} (unchanged if unknown). */
  public ModelTable with(Model updated) {
    Integer position = index.get(updated.spec().modelId());
    if (position == null) {
      return this;
    }
    Model old = get(position);
    Model[][] nextChunks = chunks.clone();
    Model[] chunk = chunks[position / CHUNK].clone();
    chunk[position % CHUNK] = updated;
    nextChunks[position / CHUNK] = chunk;
    return new ModelTable(index, nextChunks, size,
        ready + flag(updated.ready()) - flag(old.ready()),
        terminated + flag(updated.termination() != null) - flag(old.termination() != null),
        awaitingCreate + flag(awaitsCreate(updated)) - flag(awaitsCreate(old)));
  }

  private static int flag(boolean b) {
    return b ? 1 : 0;
  }

  /** The models in deploy order (a copy: O(n), for snapshots and views). */
  @JsonValue
  public List<Model> list() {
    List<Model> all = new ArrayList<>(size);
    for (Model[] chunk : chunks) {
      all.addAll(Arrays.asList(chunk));
    }
    return Collections.unmodifiableList(all);
  }

  public Stream<Model> stream() {
    return Arrays.stream(chunks).flatMap(Arrays::stream);
  }

  @Override
  public Iterator<Model> iterator() {
    return stream().iterator();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelTable other && size == other.size && list().equals(other.list());
  }

  @Override
  public int hashCode() {
    return list().hashCode();
  }

  @Override
  public String toString() {
    return "ModelTable(" + size + " models, " + ready + " ready, " + terminated + " terminated, " + awaitingCreate
        + " awaiting Create)";
  }
}
