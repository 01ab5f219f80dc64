package dev.tugboat.persistence;

import dev.tugboat.protocol.simulation.SimulationCommand;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Holds one of a simulation's actor-confined parts inside an actor of its own, as the entity does:
 * {@link Run} calls it on the actor's thread, and every other message the actor receives (the
 * answers to the part's asks) goes to {@code others}.
 */
final class PartHost<T> {

  /** Calls the part on the host's thread. */
  record Run<T>(Consumer<T> action) implements SimulationCommand.Private {}

  private final ActorRef<SimulationCommand> ref;

  PartHost(ActorTestKit kit, Function<ActorContext<SimulationCommand>, T> part, ActorRef<SimulationCommand> others) {
    ref = kit.spawn(Behaviors.setup(ctx -> {
      T held = part.apply(ctx);
      return Behaviors.receiveMessage(msg -> {
        if (msg instanceof Run<?> run) {
          @SuppressWarnings("unchecked")
          Consumer<T> action = (Consumer<T>) run.action();
          action.accept(held);
        } else {
          others.tell(msg);
        }
        return Behaviors.same();
      });
    }));
  }

  void run(Consumer<T> action) {
    ref.tell(new Run<>(action));
  }
}
