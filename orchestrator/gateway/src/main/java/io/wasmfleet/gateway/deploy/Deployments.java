package io.wasmfleet.gateway.deploy;

import io.wasmfleet.gateway.device.DeviceActor;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Spawns a {@link DeploymentActor} per deployment (the DeviceGroupQuery pattern). */
public final class Deployments {

  public record Deploy(RecipientRef<DeviceActor.Command> board, DeploymentActor.Request request,
      ActorRef<DeploymentActor.Deployed> replyTo) {}

  public static Behavior<Deploy> create(Duration timeout) {
    return Behaviors.receive((context, m) -> {
      context.spawnAnonymous(DeploymentActor.create(m.board(), m.request(), timeout, m.replyTo()));
      return Behaviors.same();
    });
  }

  private Deployments() {}
}
