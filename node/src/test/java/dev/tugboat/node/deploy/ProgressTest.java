package dev.tugboat.node.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final DeployFile FILE = new DeployFile("sim", "so-1", List.of(
      new ModelSpec("m0", "busybox", List.of()), new ModelSpec("m1", "busybox", List.of())), 1);
  private static final String BASE = "/lifecycle/mso/dots-so/sim/";

  private static byte[] terminated(Lifecycle.TerminationStatus status, int exitCode) {
    return Lifecycle.ModelHasTerminated.newBuilder().setStatus(status).setExitCode(exitCode).build().toByteArray();
  }

  @Test
  void eachNotificationIsOneLineAndAFailureFailsTheRun() {
    Progress p = new Progress(FILE);
    assertEquals("ModelsReady              all 2 model(s) are running",
        p.read(BASE + "ModelsReady", new byte[0]).orElseThrow().line());
    assertEquals(new Progress.Step("ModelHasTerminated       model m0 SUCCESSFULL, exit code 0", Optional.empty()),
        p.read(BASE + "m0/ModelHasTerminated", terminated(Lifecycle.TerminationStatus.SUCCESSFULL, 0)).orElseThrow());
    assertEquals(new Progress.Step("ModelHasTerminated       model m1 FAILED, exit code 200", Optional.of("m1")),
        p.read(BASE + "m1/ModelHasTerminated", terminated(Lifecycle.TerminationStatus.FAILED, 200)).orElseThrow());
    assertFalse(p.over());
    assertEquals("AllModelsHaveTerminated  1 of 2 model(s) succeeded",
        p.read(BASE + "AllModelsHaveTerminated", new byte[0]).orElseThrow().line());
    assertTrue(p.over());
    assertFalse(p.succeeded());
  }

  @Test
  void succeedsOnlyWhenEveryModelWasReportedSuccessfull() {
    Progress p = new Progress(FILE);
    p.read(BASE + "m0/ModelHasTerminated", terminated(Lifecycle.TerminationStatus.SUCCESSFULL, 0));
    p.read(BASE + "AllModelsHaveTerminated", new byte[0]);
    assertFalse(p.succeeded(), "m1 was never reported");
    p.read(BASE + "m1/ModelHasTerminated", terminated(Lifecycle.TerminationStatus.SUCCESSFULL, 0));
    assertTrue(p.succeeded());
  }

  @Test
  void otherSimulationsAreNotItsBusinessAndGarbageIsSaidSo() {
    Progress p = new Progress(FILE);
    assertEquals(Optional.empty(), p.read("/lifecycle/mso/dots-so/other/AllModelsHaveTerminated", new byte[0]));
    assertTrue(p.read(BASE + "m0/ModelHasTerminated", new byte[] {(byte) 0xff}).orElseThrow().line()
        .startsWith("ignored a message on '/lifecycle/mso/dots-so/sim/m0/ModelHasTerminated'"));
    assertFalse(p.over());
  }
}
