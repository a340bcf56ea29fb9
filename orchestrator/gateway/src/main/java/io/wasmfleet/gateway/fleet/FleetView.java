package io.wasmfleet.gateway.fleet;

import io.wasmfleet.gateway.GatewayNode;
import io.wasmfleet.gateway.device.BoardDirectory;
import io.wasmfleet.gateway.device.DeviceActor;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * This node's view of the fleet: which node drives which board. Fed by the Receptionist and
 * by cluster membership, so a request for a board whose node is unreachable or gone gets
 * "unavailable: owner node X is down" at once instead of a timeout. Network boards are
 * always reached through Cluster Sharding, which moves them to a surviving node.
 */
public final class FleetView {

  public sealed interface Command {}

  public record Locate(String boardId, ActorRef<Location> replyTo) implements Command {}

  /** The boards whose owner node is down, with that node's name. */
  public record ListUnavailable(ActorRef<Map<String, String>> replyTo) implements Command {}

  public sealed interface Location {}

  public record Found(RecipientRef<DeviceActor.Command> board) implements Location {}

  public record Unavailable(String reason) implements Location {}

  public record Unknown(String reason) implements Location {}

  private record Listed(Receptionist.Listing listing) implements Command {}

  private record Membership(ClusterEvent.ClusterDomainEvent event) implements Command {}

  /** Who drives a board; {@code ref} is null once the board left the Receptionist. */
  private record Owner(ActorRef<DeviceActor.Command> ref, Address node) {}

  public static Behavior<Command> create(Set<String> networkBoards) {
    return Behaviors.setup(context -> new FleetView(context, networkBoards).running());
  }

  private final ActorContext<Command> context;
  private final Set<String> networkBoards;
  private final Map<String, Owner> owners = new HashMap<>();
  private final Map<Address, String> nodeNames = new HashMap<>();
  private final Set<Address> unreachable = new HashSet<>();
  private final Set<Address> down = new HashSet<>();
  /** The incarnation now at each address: a restarted node reuses host and port, not its uid. */
  private final Map<Address, UniqueAddress> incarnation = new HashMap<>();
  private final Address self;

  private FleetView(ActorContext<Command> context, Set<String> networkBoards) {
    this.context = context;
    this.networkBoards = networkBoards;
    Cluster cluster = Cluster.get(context.getSystem());
    this.self = cluster.selfMember().address();
    nodeNames.put(self, context.getSystem().settings().config().getString("wasmfleet.gateway.node-name"));
    context.getSystem().receptionist().tell(Receptionist.subscribe(DeviceActor.ALL_BOARDS,
        context.messageAdapter(Receptionist.Listing.class, Listed::new)));
    cluster.subscriptions().tell(Subscribe.create(
        context.messageAdapter(ClusterEvent.MemberEvent.class, Membership::new), ClusterEvent.MemberEvent.class));
    cluster.subscriptions().tell(Subscribe.create(
        context.messageAdapter(ClusterEvent.ReachabilityEvent.class, Membership::new),
        ClusterEvent.ReachabilityEvent.class));
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Listed.class, this::onListed)
        .onMessage(Membership.class, this::onMembership)
        .onMessage(Locate.class, this::onLocate)
        .onMessage(ListUnavailable.class, this::onListUnavailable)
        .build();
  }

  private Behavior<Command> onListed(Listed m) {
    Set<String> listed = new HashSet<>();
    for (ActorRef<DeviceActor.Command> ref : m.listing().getServiceInstances(DeviceActor.ALL_BOARDS)) {
      String id = BoardDirectory.idOf(ref);
      if (!networkBoards.contains(id)) {
        Address node = ref.path().address().hasLocalScope() ? self : ref.path().address();
        owners.put(id, new Owner(ref, node));
        listed.add(id);
      }
    }
    owners.replaceAll((id, o) -> listed.contains(id) ? o : new Owner(null, o.node()));
    return Behaviors.same();
  }

  private Behavior<Command> onMembership(Membership m) {
    ClusterEvent.ClusterDomainEvent e = m.event();
    if (e instanceof ClusterEvent.MemberEvent me) {
      Member member = me.member();
      member.getRoles().stream().filter(r -> r.startsWith(GatewayNode.NODE_ROLE_PREFIX)).findFirst()
          .ifPresent(r -> nodeNames.put(member.address(), r.substring(GatewayNode.NODE_ROLE_PREFIX.length())));
      if (me instanceof ClusterEvent.MemberUp || me instanceof ClusterEvent.MemberJoined
          || me instanceof ClusterEvent.MemberWeaklyUp) {
        incarnation.put(member.address(), member.uniqueAddress());
        down.remove(member.address());
        unreachable.remove(member.address());
      } else if ((me instanceof ClusterEvent.MemberRemoved || me instanceof ClusterEvent.MemberDowned
          || me instanceof ClusterEvent.MemberExited || me instanceof ClusterEvent.MemberLeft) && isCurrent(member)) {
        down.add(member.address());
      }
    } else if (e instanceof ClusterEvent.UnreachableMember u && isCurrent(u.member())) {
      unreachable.add(u.member().address());
    } else if (e instanceof ClusterEvent.ReachableMember r && isCurrent(r.member())) {
      unreachable.remove(r.member().address());
    }
    return Behaviors.same();
  }

  /** Events about an earlier incarnation of a restarted node say nothing about the new one. */
  private boolean isCurrent(Member member) {
    UniqueAddress now = incarnation.get(member.address());
    return now == null || now.equals(member.uniqueAddress());
  }

  private String nodeName(Address node) {
    return nodeNames.getOrDefault(node, node.toString());
  }

  /** Down by the events seen so far, or unreachable in the cluster's state right now (the same truth the API edge uses). */
  private boolean isDown(Owner o) {
    return o.ref() == null || down.contains(o.node()) || unreachable.contains(o.node())
        || Cluster.get(context.getSystem()).state().getUnreachable().stream().anyMatch(m -> m.address().equals(o.node()));
  }

  private Behavior<Command> onLocate(Locate m) {
    String id = m.boardId();
    if (networkBoards.contains(id)) {
      m.replyTo().tell(new Found(NetworkBoards.ref(context.getSystem(), id)));
      return Behaviors.same();
    }
    Owner o = owners.get(id);
    if (o == null) {
      Set<String> known = new TreeSet<>(owners.keySet());
      known.addAll(networkBoards);
      m.replyTo().tell(new Unknown("device '" + id + "' is not known; known: "
          + (known.isEmpty() ? "none" : String.join(", ", known))));
    } else if (isDown(o)) {
      m.replyTo().tell(new Unavailable("board " + id + " is unavailable: owner node " + nodeName(o.node()) + " is down"));
    } else {
      m.replyTo().tell(new Found(o.ref()));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onListUnavailable(ListUnavailable m) {
    Map<String, String> result = new HashMap<>();
    owners.forEach((id, o) -> {
      if (isDown(o)) {
        result.put(id, nodeName(o.node()));
      }
    });
    m.replyTo().tell(result);
    return Behaviors.same();
  }
}
