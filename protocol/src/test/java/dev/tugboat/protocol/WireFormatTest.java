package dev.tugboat.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.protocol.dots.Lifecycle;
import org.junit.jupiter.api.Test;

class WireFormatTest {

  @Test
  void modelHasTerminatedFailedOneIsTheFourDotsBytes() {
    byte[] bytes = Lifecycle.ModelHasTerminated.newBuilder()
        .setStatus(Lifecycle.TerminationStatus.FAILED).setExitCode(1).build().toByteArray();
    assertArrayEquals(new byte[] {0x08, 0x01, 0x10, 0x01}, bytes);
  }

  @Test
  void successIsTheDefaultAndEncodesToNothing() {
    byte[] bytes = Lifecycle.ModelHasTerminated.newBuilder()
        .setStatus(Lifecycle.TerminationStatus.SUCCESSFULL).setExitCode(0).build().toByteArray();
    assertEquals(0, bytes.length);
  }

  @Test
  void deployModelsUsesTheDotsFieldNumbers() throws Exception {
    Lifecycle.DeployModels deploy = Lifecycle.DeployModels.newBuilder()
        .setSimulatorId("204-asd")
        .addModelConfigurations(Lifecycle.ModelConfiguration.newBuilder()
            .setModelID("0").setImageUrl("fake_model:latest")
            .addEnvironmentVariables(Lifecycle.EnvironmentVariable.newBuilder().setName("EXIT_CODE").setValue("1")))
        .setKeepLogsHours(24.0)
        .build();
    byte[] bytes = deploy.toByteArray();
    // field 1 (simulatorId, length-delimited): tag 0x0a; field 3 (double): tag 0x19 at the end.
    assertEquals(0x0a, bytes[0]);
    assertEquals(0x19, bytes[bytes.length - 9]);
    assertEquals(deploy, Lifecycle.DeployModels.parseFrom(bytes));
    assertEquals(1, Lifecycle.ModelConfiguration.getDescriptor().findFieldByName("modelID").getNumber());
    assertEquals(3, Lifecycle.ModelConfiguration.getDescriptor().findFieldByName("environmentVariables").getNumber());
  }
}
