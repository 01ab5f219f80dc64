package dev.tugboat.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.dots.Lifecycle;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NotificationCodecTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(new Notification.ModelsReady("sim02-abc"), "/lifecycle/mso/dots-so/sim02-abc/ModelsReady",
            "ModelsReady", ""),
        Arguments.of(new Notification.ModelHasTerminated("sim02-abc", "1", TerminationStatus.FAILED, 1),
            "/lifecycle/mso/dots-so/sim02-abc/1/ModelHasTerminated", "ModelHasTerminated", "08011001"),
        Arguments.of(new Notification.ModelHasTerminated("sim02-abc", "2", TerminationStatus.FAILED, 2),
            "/lifecycle/mso/dots-so/sim02-abc/2/ModelHasTerminated", "ModelHasTerminated", "08011002"),
        // proto3: SUCCESSFULL (0) and exit code 0 are defaults, so the message is empty.
        Arguments.of(new Notification.ModelHasTerminated("sim02-abc", "0", TerminationStatus.SUCCEEDED, 0),
            "/lifecycle/mso/dots-so/sim02-abc/0/ModelHasTerminated", "ModelHasTerminated", ""),
        Arguments.of(new Notification.AllModelsHaveTerminated("sim02-abc"),
            "/lifecycle/mso/dots-so/sim02-abc/AllModelsHaveTerminated", "AllModelsHaveTerminated", ""));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void encodesTheDotsTopicAndBytes(Notification n, String topic, String kind, String hex) {
    NotificationCodec.Outbound out = NotificationCodec.encode("dots-so", n);
    assertEquals(topic, out.topic());
    assertEquals(kind, out.kind());
    assertArrayEquals(HexFormat.of().parseHex(hex), out.payload());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void decodesWithTheDotsTypes(Notification n) throws Exception {
    byte[] payload = NotificationCodec.encode("dots-so", n).payload();
    if (n instanceof Notification.ModelHasTerminated t) {
      Lifecycle.ModelHasTerminated m = Lifecycle.ModelHasTerminated.parseFrom(payload);
      assertEquals(t.exitCode(), m.getExitCode());
      assertEquals(t.status() == TerminationStatus.SUCCEEDED ? Lifecycle.TerminationStatus.SUCCESSFULL
          : Lifecycle.TerminationStatus.FAILED, m.getStatus());
    } else if (n instanceof Notification.ModelsReady) {
      assertEquals(Lifecycle.ModelsReady.getDefaultInstance(), Lifecycle.ModelsReady.parseFrom(payload));
    } else {
      assertEquals(Lifecycle.AllModelsHaveTerminated.getDefaultInstance(),
          Lifecycle.AllModelsHaveTerminated.parseFrom(payload));
    }
  }
}
