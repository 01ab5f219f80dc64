package dev.tugboat.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a DeployModels request against the id rules ({@link Ids}), the image and environment
 * rules Kubernetes applies ({@link ImageReference}, {@link EnvVarNames}) and the
 * {@link DeployLimits}, so that nothing a cluster or the MQTT client would refuse later is ever
 * accepted. The same check serves every door (MQTT, HTTP).
 */
public final class DeployValidator {
  /** Problems named one by one in a rejection's reason; the rest are counted. */
  static final int MAX_LISTED_PROBLEMS = 10;

  private DeployValidator() {}

  /**
   * Outcome of a check: a problem (and the valid model ids still worth reporting as FAILED), or
   * the services to run. When the request is over the model limit no ids are listed.
   */
  public record Validation(Optional<String> problem, List<String> validModelIds, List<ServiceSpec> services) {
    public Validation {
      validModelIds = List.copyOf(validModelIds);
      services = List.copyOf(services);
    }
  }

  public static Validation validate(String simulationId, String simulatorId, List<ModelSpec> models,
      double keepLogsHours, DeployLimits limits) {
    return check(simulationId, simulatorId, models, keepLogsHours, limits, new Problems());
  }

  /**
   * Every problem {@link #validate} finds, one sentence each, none left out: for a door that can
   * show them one per line (the {@code tugboat deploy} command) before anything is sent.
   */
  public static List<String> problems(String simulationId, String simulatorId, List<ModelSpec> models,
      double keepLogsHours, DeployLimits limits) {
    Problems problems = new Problems();
    check(simulationId, simulatorId, models, keepLogsHours, limits, problems);
    return List.copyOf(problems.all);
  }

  private static Validation check(String simulationId, String simulatorId, List<ModelSpec> models,
      double keepLogsHours, DeployLimits limits, Problems problems) {
    if (models.isEmpty()) {
      problems.add("no models to deploy");
    }
    Optional<String> tooMany = limits.modelCountProblem(models.size());
    if (tooMany.isPresent()) {
      problems.add(tooMany.get());
      return new Validation(problems.reason(), List.of(), List.of());
    }
    Optional<String> simulatorProblem = Ids.problem("simulatorId", simulatorId);
    simulatorProblem.ifPresent(problems::add);
    if (!Double.isFinite(keepLogsHours) || keepLogsHours < 0 || keepLogsHours > limits.maxKeepLogsHours()) {
      problems.add("keepLogsHours must be a number from 0 to " + limits.maxKeepLogsHours() + ", got " + keepLogsHours);
    }
    Set<String> validIds = new LinkedHashSet<>();
    Set<String> seen = new HashSet<>();
    Map<String, String> podOwners = new HashMap<>();
    for (ModelSpec m : models) {
      Optional<String> idProblem = Ids.problem("modelId", m.modelId());
      if (idProblem.isPresent()) {
        problems.add(idProblem.get());
        continue;
      }
      validIds.add(m.modelId());
      if (!seen.add(m.modelId())) {
        problems.add("duplicate modelId '" + m.modelId() + "'");
        continue;
      }
      ImageReference.problem(m.imageUrl()).ifPresent(p -> problems.add("model '" + m.modelId() + "' " + p));
      envProblem(m, limits).ifPresent(p -> problems.add("model '" + m.modelId() + "': " + p));
      if (simulatorProblem.isEmpty()) {
        String pod = PodNames.podName(simulatorId, simulationId, m.modelId());
        String other = podOwners.putIfAbsent(pod, m.modelId());
        if (other != null) {
          problems.add("models '" + other + "' and '" + m.modelId() + "' map to the same pod name '" + pod + "'");
        }
      }
    }
    if (problems.any()) {
      return new Validation(problems.reason(), List.copyOf(validIds), List.of());
    }
    List<ServiceSpec> services = models.stream()
        .map(m -> ServiceSpec.of(simulatorId, simulationId, m, keepLogsHours))
        .toList();
    return new Validation(Optional.empty(), List.copyOf(validIds), services);
  }

  /** The first problem of a model's environment, if any. */
  static Optional<String> envProblem(ModelSpec model, DeployLimits limits) {
    if (model.env().size() > limits.maxEnvVars()) {
      return Optional.of(model.env().size() + " environment variables, more than the limit of "
          + limits.maxEnvVars() + " (tugboat.limits.max-env-vars)");
    }
    for (EnvVar e : model.env()) {
      Optional<String> nameProblem = EnvVarNames.problem(e.name());
      if (nameProblem.isPresent()) {
        return nameProblem;
      }
      String value = e.value() == null ? "" : e.value();
      int bytes = value.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > limits.maxEnvValueBytes()) {
        return Optional.of("the value of " + e.name() + " has " + bytes + " bytes, more than the limit of "
            + limits.maxEnvValueBytes() + " (tugboat.limits.max-env-value-bytes)");
      }
      if (value.indexOf('\u0000') >= 0) {
        return Optional.of("the value of " + e.name() + " contains a NUL character, which no container can receive");
      }
    }
    return Optional.empty();
  }

  /** The problems found so far (at most one per model and a few more); a reason names the first few and counts the rest. */
  private static final class Problems {
    private final List<String> all = new ArrayList<>();

    void add(String problem) {
      all.add(problem);
    }

    boolean any() {
      return !all.isEmpty();
    }

    Optional<String> reason() {
      if (all.isEmpty()) {
        return Optional.empty();
      }
      List<String> listed = all.subList(0, Math.min(all.size(), MAX_LISTED_PROBLEMS));
      String joined = String.join("; ", listed);
      return Optional.of(all.size() > listed.size()
          ? joined + "; and " + (all.size() - listed.size()) + " more problem(s)" : joined);
    }
  }
}
