package dev.tugboat.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.topics.Topic;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MqttTextTest {

  @ParameterizedTest
  @ValueSource(strings = {"/lifecycle/dots-so/mso/sim02-abc/DeployModels", "/lifecycle/mso/dots-so/ÄÖÜ/m_1.2/ModelHasTerminated",
      "$share/tugboat/a", "Grüße ✓ 中文", "\u00A0\uFDBF"})
  void carriesWhatPahoCarries(String topic) {
    assertTrue(MqttText.carriable(topic), topic);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sim\uD83D\uDE80", "a\u0000", "a\u0007", "a\n", "a\u007F", "a\u0085", "a\u009F",
      "a\uFFFE", "a\uFFFF", "a\uFDD0", "a\uFDC0", "a\uFDCF", "a\uFDDF", "a\uFDE0", "\uFF21", "\uFEFF", "a\uD800", "a\uDC00b", "a\uFFFD"})
  void refusesWhatPahoRefusesOrWhatWasNotUtf8(String topic) {
    assertFalse(MqttText.carriable(topic), Ids.printable(topic));
    assertTrue(MqttText.problem(topic).orElseThrow().contains("U+"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sim02-abc", "0", "Model_A.1", "ÄÖÜ", "a-b-c"})
  void everyTopicBuiltFromValidAsciiOrLatinIdsIsCarried(String id) {
    assertTrue(MqttText.carriable(new Topic.ModelHasTerminated("dots-so", id, id).format()));
  }
}
