package io.wasmfleet.gateway.device;

import io.wasmfleet.gateway.device.DeviceActor.BoardState;
import io.wasmfleet.gateway.device.DeviceActor.ModuleView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Asks every slot of a board what it holds and answers one {@link BoardState}, then stops:
 * the DeviceGroupQuery pattern. A slot that does not answer within a second is left out.
 */
final class SlotsQuery {

  sealed interface Command {}

  private record Reply(int slot, ModuleView module) implements Command {}

  private enum Expired implements Command { INSTANCE }

  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  static Behavior<Command> create(List<ActorRef<ModuleSlot.Command>> slots, BoardState known,
      ActorRef<BoardState> replyTo) {
    return Behaviors.<Command>setup(context -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Expired.INSTANCE, TIMEOUT);
      for (int i = 0; i < slots.size(); i++) {
        int index = i;
        // one ask per slot: a message adapter per class would tag every reply with the last slot
        context.ask(ModuleSlot.Described.class, slots.get(i), TIMEOUT, ModuleSlot.Describe::new,
            (d, failure) -> new Reply(index, d == null ? null : d.module()));
      }
      return collecting(slots.size(), new TreeMap<>(), new ArrayList<>(), known, replyTo);
    }));
  }

  private static Behavior<Command> collecting(int expected, Map<Integer, ModuleView> modules, List<Integer> answered,
      BoardState known, ActorRef<BoardState> replyTo) {
    if (answered.size() == expected) {
      return answer(modules, known, replyTo);
    }
    return Behaviors.receive(Command.class)
        .onMessage(Reply.class, r -> {
          if (r.module() != null) {
            modules.put(r.slot(), r.module());
          }
          answered.add(r.slot());
          return collecting(expected, modules, answered, known, replyTo);
        })
        .onMessageEquals(Expired.INSTANCE, () -> answer(modules, known, replyTo))
        .build();
  }

  private static Behavior<Command> answer(Map<Integer, ModuleView> modules, BoardState known,
      ActorRef<BoardState> replyTo) {
    replyTo.tell(new BoardState(known.config(), known.link(), List.copyOf(modules.values()), known.pool(),
        known.lastError(), known.simulated(), known.node(), known.reported()));
    return Behaviors.stopped();
  }

  private SlotsQuery() {}
}
