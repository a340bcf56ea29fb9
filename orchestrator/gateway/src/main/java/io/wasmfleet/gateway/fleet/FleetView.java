package io.wasmfleet.gateway.fleet;

import io.wasmfleet.gateway.NodeNames;
import io.wasmfleet.gateway.device.Answer;
import io.wasmfleet.gateway.device.BoardState;
import io.wasmfleet.gateway.device.DeviceActor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
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
 *
 * <p>Every board it ever knew stays in {@link #onListBoards its list}: this node's own boards
 * from the start, every configured network board (MOVING while it is handed over, with its
 * last owner), and a pinned board of a dead node as OWNER_DOWN.
 */
public final class FleetView {

  public sealed interface Command {}

  public record Locate(String boardId, ActorRef<Location> replyTo) implements Command {}

  /**
   * Send a request to board {@code boardId} wherever it is, and answer {@code replyTo} once,
   * within {@code timeout}, through a {@link BoardRequest} of its own (a pinned board of this
   * node answers itself); {@code follow}: ask again where the board moves meanwhile (only for
   * what changes nothing on a board: STATUS). A board that cannot be reached now is answered at
   * once, with why. Only ever sent to this node's view: it carries a function.
   */
  public record Request(String boardId, Function<ActorRef<Answer>, DeviceActor.Command> message, Duration timeout,
      boolean follow, ActorRef<Answer> replyTo) implements Command {}

  /** Every board of the fleet this node knows of, sorted by id. */
  public record ListBoards(ActorRef<List<Placement>> replyTo) implements Command {}

  /**
   * Where a board is. {@code ref}: the actor to ask for its state (null when nobody can answer
   * now); {@code node}: its owner, or its last owner (null when none was seen yet);
   * {@code state}: {@link #UP}, {@link #MOVING}, {@link #OWNER_DOWN} or {@link #STARTING}.
   */
  public record Placement(String board, ActorRef<DeviceActor.Command> ref, String node, String state) {}

  /** Driven by a live node. */
  public static final String UP = "UP";
  /** A network board whose node died: Cluster Sharding is starting it on a survivor. */
  public static final String MOVING = "MOVING";
  /** A pinned board (serial, or a board only its node lists) whose node is down. */
  public static final String OWNER_DOWN = "OWNER_DOWN";
  /** A network board no node has started yet. */
  public static final String STARTING = "STARTING";

  public sealed interface Location {}

  public record Found(RecipientRef<DeviceActor.Command> board) implements Location {}

  /** The board cannot be asked now, and why. */
  public sealed interface NotFound extends Location {
    String reason();
  }

  public record Unavailable(String reason) implements NotFound {}

  public record Unknown(String reason) implements NotFound {}

  /**
   * What every board of the fleet says of itself right now, in one round: each node's view asks
   * its own boards (local asks) and answers for all of them at once, instead of one remote ask
   * per board. Boards that did not answer within {@code within} are left out (the caller shows
   * them with what was last seen).
   */
  public record DescribeBoards(java.time.Duration within, ActorRef<BoardStates> replyTo) implements Command {}

  /** The states that came back, by board. */
  public record BoardStates(Map<String, BoardState> states)
      implements io.wasmfleet.gateway.CborSerializable {}

  /** To a node's view: describe the boards driven here. */
  public record DescribeLocal(java.time.Duration within, ActorRef<BoardStates> replyTo)
      implements Command, io.wasmfleet.gateway.CborSerializable {}

  /**
   * STATUS of {@code boards}, each node asking its own (see {@link FleetStatus}), at most
   * {@code parallel} at a time on each node. Answers for the boards that answered or failed on
   * their node; a board no live node drives, or whose node died meanwhile, is left out.
   */
  public record StatusOfBoards(List<String> boards, int parallel, java.time.Duration timeout,
      ActorRef<BoardAnswers> replyTo) implements Command {}

  /** STATUS answers by board, and how long each board took to answer (ms, asked on its own node). */
  public record BoardAnswers(Map<String, Answer> answers, Map<String, Long> millis)
      implements io.wasmfleet.gateway.CborSerializable {}

  /** To a node's view: STATUS of these boards, which it drives. */
  public record StatusLocal(List<String> boards, int parallel, java.time.Duration timeout,
      ActorRef<BoardAnswers> replyTo) implements Command, io.wasmfleet.gateway.CborSerializable {}

  /** Every node's view registers under this key. */
  public static final org.apache.pekko.actor.typed.receptionist.ServiceKey<Command> VIEWS =
      org.apache.pekko.actor.typed.receptionist.ServiceKey.create(Command.class, "fleet-views");

  private record ViewsListed(Receptionist.Listing listing) implements Command {}

  private record Listed(Receptionist.Listing listing) implements Command {}

  private record Membership(ClusterEvent.ClusterDomainEvent event) implements Command {}

  /** Who drives a board; {@code ref} is null once the board left the Receptionist. */
  private record Owner(ActorRef<DeviceActor.Command> ref, Address node) {}

  /** {@code local}: the pinned boards this node drives, known from the start. */
  public static Behavior<Command> create(Map<String, ActorRef<DeviceActor.Command>> local, Set<String> networkBoards) {
    return Behaviors.setup(context -> new FleetView(context, local, networkBoards).running());
  }

  private final ActorContext<Command> context;
  private final Set<String> networkBoards;
  private final Set<String> local;
  private final Map<String, Owner> owners = new HashMap<>();
  private final Map<Address, String> nodeNames = new HashMap<>();
  private final Set<Address> unreachable = new HashSet<>();
  private final Set<Address> down = new HashSet<>();
  /** The incarnation now at each address: a restarted node reuses host and port, not its uid. */
  private final Map<Address, UniqueAddress> incarnation = new HashMap<>();
  private final Address self;
  private Set<ActorRef<Command>> views = Set.of();

  private FleetView(ActorContext<Command> context, Map<String, ActorRef<DeviceActor.Command>> local,
      Set<String> networkBoards) {
    this.context = context;
    this.networkBoards = networkBoards;
    Cluster cluster = Cluster.get(context.getSystem());
    this.self = cluster.selfMember().address();
    local.forEach((id, ref) -> owners.put(id, new Owner(ref, self)));
    this.local = Set.copyOf(local.keySet());
    nodeNames.put(self, NodeNames.own(context.getSystem()));
    // one adapter per message class: a second one would replace the first
    ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class,
        l -> l.isForKey(VIEWS) ? new ViewsListed(l) : new Listed(l));
    context.getSystem().receptionist().tell(Receptionist.subscribe(DeviceActor.ALL_BOARDS, listings));
    context.getSystem().receptionist().tell(Receptionist.register(VIEWS, context.getSelf()));
    context.getSystem().receptionist().tell(Receptionist.subscribe(VIEWS, listings));
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
        .onMessage(Locate.class, m -> {
          m.replyTo().tell(locate(m.boardId()));
          return Behaviors.same();
        })
        .onMessage(Request.class, this::onRequest)
        .onMessage(ListBoards.class, this::onListBoards)
        .onMessage(ViewsListed.class, m -> {
          views = Set.copyOf(m.listing().getServiceInstances(VIEWS));
          return Behaviors.same();
        })
        .onMessage(DescribeBoards.class, this::onDescribeBoards)
        .onMessage(DescribeLocal.class, this::onDescribeLocal)
        .onMessage(StatusOfBoards.class, this::onStatusOfBoards)
        .onMessage(StatusLocal.class, this::onStatusLocal)
        .build();
  }

  /** Asks every live node's view (this one too) for its boards, and merges their answers. */
  private Behavior<Command> onDescribeBoards(DescribeBoards m) {
    List<ActorRef<Command>> live = new ArrayList<>();
    for (ActorRef<Command> v : views) {
      Address node = v.path().address().hasLocalScope() ? self : v.path().address();
      if (!down.contains(node) && !unreachable.contains(node)) {
        live.add(v);
      }
    }
    if (live.isEmpty()) {
      live.add(context.getSelf());
    }
    context.spawnAnonymous(merging(live.size(), m.within().plusMillis(200), BoardStates.class, BoardStates::states,
        m.replyTo(), reply -> live.forEach(v -> v.tell(new DescribeLocal(m.within(), reply)))));
    return Behaviors.same();
  }

  /** Splits the boards by the live node that drives them and asks each node's view for its share. */
  private Behavior<Command> onStatusOfBoards(StatusOfBoards m) {
    Map<Address, ActorRef<Command>> viewOf = new HashMap<>();
    for (ActorRef<Command> v : views) {
      viewOf.put(v.path().address().hasLocalScope() ? self : v.path().address(), v);
    }
    viewOf.putIfAbsent(self, context.getSelf());
    Map<ActorRef<Command>, List<String>> shares = new HashMap<>();
    for (String id : m.boards()) {
      Owner o = owners.get(id);
      if (o != null && !isDown(o) && viewOf.containsKey(o.node())) {
        shares.computeIfAbsent(viewOf.get(o.node()), v -> new ArrayList<>()).add(id);
      }
    }
    context.spawnAnonymous(FleetStatus.gather(shares, m.parallel(), m.timeout(),
        m.timeout().plusSeconds(1), m.replyTo()));
    return Behaviors.same();
  }

  /** The boards of a share that are driven here, asked locally; the others are left out. */
  private Behavior<Command> onStatusLocal(StatusLocal m) {
    List<FleetStatus.Local> mine = new ArrayList<>();
    for (String id : m.boards()) {
      Owner o = owners.get(id);
      if (o != null && o.ref() != null && o.ref().path().address().hasLocalScope()) {
        mine.add(new FleetStatus.Local(id, o.ref()));
      }
    }
    context.spawnAnonymous(FleetStatus.askLocal(mine, m.parallel(), m.timeout(), m.replyTo()));
    return Behaviors.same();
  }

  /** This node's own boards: a local GetState each, answered together. */
  private Behavior<Command> onDescribeLocal(DescribeLocal m) {
    List<ActorRef<DeviceActor.Command>> mine = new ArrayList<>();
    for (Owner o : owners.values()) {
      if (o.ref() != null && o.ref().path().address().hasLocalScope()) {
        mine.add(o.ref());
      }
    }
    context.spawnAnonymous(merging(mine.size(), m.within(), BoardState.class,
        st -> Map.of(st.board(), st), m.replyTo(), reply -> mine.forEach(ref -> ref.tell(new DeviceActor.GetState(reply)))));
    return Behaviors.same();
  }

  /**
   * A short-lived gatherer (DeviceGroupQuery): {@code ask} sends the questions, each of the
   * {@code expected} replies adds its states; it answers with what came, at the last reply or
   * after {@code within}.
   */
  private static <R> Behavior<Void> merging(int expected, java.time.Duration within, Class<R> type,
      java.util.function.Function<R, Map<String, BoardState>> states, ActorRef<BoardStates> replyTo,
      java.util.function.Consumer<ActorRef<R>> ask) {
    return Behaviors.<Object>setup(ctx -> Behaviors.withTimers(timers -> {
      Map<String, BoardState> all = new HashMap<>();
      if (expected == 0) {
        replyTo.tell(new BoardStates(Map.of()));
        return Behaviors.stopped();
      }
      ask.accept(ctx.messageAdapter(type, r -> r));
      timers.startSingleTimer("timeout", within);
      int[] left = {expected};
      return Behaviors.receive(Object.class)
          .onMessage(type, r -> {
            all.putAll(states.apply(r));
            if (--left[0] > 0) {
              return Behaviors.same();
            }
            replyTo.tell(new BoardStates(Map.copyOf(all)));
            return Behaviors.stopped();
          })
          .onMessageEquals("timeout", () -> {
            replyTo.tell(new BoardStates(Map.copyOf(all)));
            return Behaviors.stopped();
          })
          .build();
    })).narrow();
  }

  /**
   * The Receptionist's list. A network board may be listed twice while it moves (the dead
   * node's entry goes only when that node is removed): the entry on a live node wins.
   */
  private Behavior<Command> onListed(Listed m) {
    Map<String, Owner> listed = new HashMap<>();
    for (ActorRef<DeviceActor.Command> ref : m.listing().getServiceInstances(DeviceActor.ALL_BOARDS)) {
      String id = BoardDirectory.idOf(ref);
      Address node = ref.path().address().hasLocalScope() ? self : ref.path().address();
      Owner candidate = new Owner(ref, node);
      Owner before = listed.get(id);
      if (before == null || isDown(before) && !isDown(candidate)) {
        listed.put(id, candidate);
      }
    }
    // this node's own boards are known from the start, listed or not yet
    owners.replaceAll((id, o) -> local.contains(id) ? o : listed.getOrDefault(id, new Owner(null, o.node())));
    listed.forEach(owners::putIfAbsent);
    return Behaviors.same();
  }

  private Behavior<Command> onMembership(Membership m) {
    ClusterEvent.ClusterDomainEvent e = m.event();
    if (e instanceof ClusterEvent.MemberEvent me) {
      Member member = me.member();
      NodeNames.of(member).ifPresent(name -> nodeNames.put(member.address(), name));
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

  private Behavior<Command> onListBoards(ListBoards m) {
    Set<String> ids = new TreeSet<>(owners.keySet());
    ids.addAll(networkBoards);
    List<Placement> out = new ArrayList<>();
    for (String id : ids) {
      Owner o = owners.get(id);
      if (o == null) {
        out.add(new Placement(id, null, null, STARTING));
      } else if (!isDown(o)) {
        out.add(new Placement(id, o.ref(), nodeName(o.node()), UP));
      } else {
        out.add(new Placement(id, null, nodeName(o.node()), networkBoards.contains(id) ? MOVING : OWNER_DOWN));
      }
    }
    m.replyTo().tell(List.copyOf(out));
    return Behaviors.same();
  }

  /** A pinned board whose actor runs on this node (not a network board, which may move). */
  private boolean ownPinned(String id, RecipientRef<DeviceActor.Command> board) {
    return !networkBoards.contains(id) && board instanceof ActorRef<?> ref && ref.path().address().hasLocalScope();
  }

  /** Where board {@code id} is now. */
  private Location locate(String id) {
    Owner o = owners.get(id);
    if (networkBoards.contains(id)) {
      // Its actor where a live node drives it (so a request in flight learns at once if that node
      // dies); through Cluster Sharding while it moves, which holds the message until it is re-homed.
      boolean live = o != null && o.ref() != null && !isDown(o);
      return new Found(live ? o.ref() : NetworkBoards.ref(context.getSystem(), id));
    }
    if (o == null) {
      Set<String> known = new TreeSet<>(owners.keySet());
      known.addAll(networkBoards);
      return new Unknown("device '" + id + "' is not known; known: "
          + (known.isEmpty() ? "none" : String.join(", ", known)));
    }
    if (isDown(o)) {
      return new Unavailable("board " + id + " is unavailable: owner node " + nodeName(o.node()) + " is down");
    }
    return new Found(o.ref());
  }

  /**
   * A request for a board: sent by a child that sees it through, or refused at once with why. A
   * pinned board this node drives needs no child: its actor can only stop with this node, and it
   * answers whatever it was asked when it does; the ask's own timeout is the backstop. (A child
   * cost about 0.25 ms of a STATUS at p50 on a 2-core machine in a fresh gateway, a quarter of what
   * it added then: it is spent only where a board's actor may go away while this node lives.)
   */
  private Behavior<Command> onRequest(Request m) {
    Location where = locate(m.boardId());
    if (!(where instanceof Found found)) {
      m.replyTo().tell(Answer.error(((NotFound) where).reason()));
    } else if (ownPinned(m.boardId(), found.board())) {
      found.board().tell(m.message().apply(m.replyTo()));
    } else {
      ActorRef<Object> request = context.spawnAnonymous(BoardRequest.create(m, found.board(), context.getSelf()));
      found.board().tell(m.message().apply(request.narrow()));
    }
    return Behaviors.same();
  }
}
