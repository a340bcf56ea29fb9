package io.wasmfleet.gateway;

import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;

/**
 * A gateway node's name ({@code wasmfleet.gateway.node-name}): read in one place, and carried to
 * the other nodes as a cluster role {@code node-<name>}, so any node can name another in its
 * answers ("owner node gw2 is down").
 */
public final class NodeNames {

  static final String ROLE_PREFIX = "node-";

  private NodeNames() {}

  /** This node's name. */
  public static String own(ActorSystem<?> system) {
    return system.settings().config().getString("wasmfleet.gateway.node-name");
  }

  /** The role that carries the node name {@code name}. */
  static String role(String name) {
    return ROLE_PREFIX + name;
  }

  /** The name a cluster member's role gives it; empty for a member that is not a gateway node. */
  public static Optional<String> of(Member member) {
    return member.getRoles().stream().filter(r -> r.startsWith(ROLE_PREFIX)).findFirst()
        .map(r -> r.substring(ROLE_PREFIX.length()));
  }
}
