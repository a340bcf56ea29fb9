#!/usr/bin/env python3
"""A big simulated fleet on this machine: N network boards (one bin/agent-sim process) driven
by three gateway nodes. Measures, in one run: boards per node, threads and heap per node,
`fleet status --select all` and v2 `boards` latency percentiles, how soon a node's fleet page
shows a deploy made through another node to a board a third node drives, and the failover after
kill -9 of the busiest node (time until every board is driven again; whether a `boards`
poll ever missed a board). Writes benchmarks/results/fleet-scale.md (or --out).

  benchmarks/fleet-scale.sh [--boards 300] [--requests 150] [--warmup 10] [--page-deploys 20] [--out FILE]
"""
import argparse
import datetime, json, os, queue, re, signal, socket, subprocess, sys, tempfile, threading, time, urllib.request

from bench_procs import ROOT, classpath, gateway_java, host_load, kill_all, machine, pct, start, wasm_module, write_report



def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ask(port, request, timeout=60):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall((json.dumps(request) + "\n").encode())
        f = s.makefile()
        last = None
        for line in f:
            last = json.loads(line)
        return last


FLEET_STATUS = {"v": 2, "cmd": "fleet", "op": "status", "select": "all", "parallel": 64}


def warm_up(port, rounds):
    """Untimed fleet status and boards requests: the JIT compiles their paths on first use."""
    for _ in range(rounds):
        ask(port, FLEET_STATUS)
        ask(port, {"v": 2, "cmd": "boards"})


def timed(port, request):
    t = time.perf_counter()
    answer = ask(port, request)
    return (time.perf_counter() - t) * 1000, answer


def page_latency(page, api, boards, blob):
    """Deploys `blob` through the host API at `api` to each of `boards` in turn and returns, per
    deploy, the ms from its answer until the fleet page at `page` (its server-sent events) shows
    the module on that board; 0 when an event before the answer already showed it (LOADING)."""
    events, done = queue.Queue(), threading.Event()

    def watch():
        with urllib.request.urlopen(page + "api/events", timeout=300) as stream:
            for raw in stream:
                if done.is_set():
                    return
                line = raw.decode()
                if line.startswith("data: "):
                    events.put((time.perf_counter(), line))

    threading.Thread(target=watch, daemon=True).start()
    events.get(timeout=60)  # the page's first snapshot
    took = []
    for i, board in enumerate(boards):
        module_id = f"page{i}"
        shown = re.compile(r'\{"board":"%s"[^\]]*"id":"%s"' % (board, module_id))
        answer = host_load(api, board, blob, module_id)
        if not answer.get("ok"):
            raise SystemExit(f"deploy to {board} failed: {answer}")
        answered = time.perf_counter()
        while True:
            at, data = events.get(timeout=60)
            if shown.search(data):
                took.append(max(0.0, (at - answered) * 1000))
                break
    done.set()
    return took


def threads(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def heap_used_mib(pid):
    """The node's live heap: what a class histogram counts, which it takes after a full GC (a
    GC, then the heap's figures, read by two jcmd runs, also counted what the node allocated
    between them: from one run to the next that varied by a third)."""
    out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True).stdout
    total = [int(line.split()[2]) for line in out.splitlines() if line.startswith("Total")]
    return total[0] / (1024 * 1024) if total else float("nan")


# what the survivors log on the way (pekko's cluster and split brain resolver, our NetworkBoards)
FAILOVER_STEPS = [("unreachable", "Marking node as UNREACHABLE"), ("downed", "SBR took decision"),
                  ("removed", "removed: pinging all")]


def failover_timeline(work, survivors, killed_wall, failover_s):
    """When each step of the failover showed in the survivors' logs (first and last survivor), from the kill."""
    seen = {step: [] for step, _ in FAILOVER_STEPS}
    for g in survivors:
        first = {}
        with open(os.path.join(work, g + ".err"), errors="replace") as f:
            for line in f:
                m = re.match(r"^(\d\d:\d\d:\d\d\.\d\d\d) ", line)
                if not m:
                    continue
                t = datetime.datetime.combine(killed_wall.date(),
                                              datetime.datetime.strptime(m.group(1), "%H:%M:%S.%f").time())
                after = (t - killed_wall).total_seconds()
                if after < 0:
                    continue
                for step, text in FAILOVER_STEPS:
                    if text in line and step not in first:
                        first[step] = after
        for step, after in first.items():
            seen[step].append(after)
    parts = []
    for step, _ in FAILOVER_STEPS:
        ts = sorted(seen[step])
        if not ts:
            parts.append(f"{step}: not logged")
        elif len(ts) == 1 or ts[-1] - ts[0] < 0.05:
            parts.append(f"{step} {ts[0]:.1f}")
        else:
            parts.append(f"{step} {ts[0]:.1f}-{ts[-1]:.1f}")
    return ", ".join(parts) + f", every board driven and listed {failover_s:.1f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--boards", type=int, default=300)
    ap.add_argument("--requests", type=int, default=150,
                    help="timed fleet status and boards requests (p99 of 150 is the second slowest)")
    ap.add_argument("--warmup", type=int, default=10,
                    help="untimed fleet status and boards requests first (the JIT compiles their paths on first use)")
    ap.add_argument("--page-deploys", type=int, default=20,
                    help="deploys whose showing on another node's fleet page is timed")
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks/results/fleet-scale.md"))
    a = ap.parse_args()
    n = a.boards
    work = tempfile.mkdtemp(prefix="fleet-scale-")
    print(f"logs: {work}", file=sys.stderr)
    procs = []
    try:
        sim_cp, gw_cp = classpath("device-agent-sim"), classpath("orchestrator/app")
        ids = [f"b{i:04d}" for i in range(1, n + 1)]
        sim_conf = os.path.join(work, "sim.conf")
        with open(sim_conf, "w") as f:
            f.write("wasmfleet.sim.boards = [\n" + "\n".join(
                f"  {{ id = {b}, profile = nucleo_f446re, port = 0 }}" for b in ids) + "\n]\n")
        # the JVMs run as bin/agent-sim and bin/gateway run them
        sim, printed = start(["java", "-cp", sim_cp, "io.wasmfleet.sim.AgentSim", "--config", sim_conf],
                             os.path.join(work, "sim.err"))
        procs.append(sim)
        ports = {m.group(1): int(m.group(2)) for m in
                 (re.match(r"^board (\S+) .*endpoint=tcp:127\.0\.0\.1:(\d+)$", l) for l in printed) if m}
        gw_conf = os.path.join(work, "fleet.conf")
        with open(gw_conf, "w") as f:
            f.write("wasmfleet.gateway.network-boards {\n" + "\n".join(
                f'  {b} {{ endpoint = "tcp:127.0.0.1:{ports[b]}", type = nucleo_f446re }}' for b in ids) + "\n}\n")
        cluster = [free_port() for _ in range(3)]
        api = {f"gw{i + 1}": free_port() for i in range(3)}
        gws = {}
        t0 = time.perf_counter()
        for i, name in enumerate(api):
            cmd = gateway_java() + ["-cp", gw_cp, "io.wasmfleet.gateway.GatewayMain", "--config", gw_conf,
                          "--node-name", name, "--cluster-port", str(cluster[i]),
                          "--seed-node", f"127.0.0.1:{cluster[0]}", "--seed-node", f"127.0.0.1:{cluster[1]}",
                          "--port", str(api[name])]
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(os.path.join(work, name + ".err"), "w"),
                                 text=True)
            gws[name] = p
            procs.append(p)
        pages = {}
        for name, p in gws.items():
            for line in p.stdout:
                if line.startswith("fleet page on "):
                    pages[name] = line.strip()[len("fleet page on "):]
                if line.strip() == "ready":
                    break
        def placement(port):
            b = ask(port, {"v": 2, "cmd": "boards"})["boards"]
            return {x["board"]: (x.get("node"), x.get("link")) for x in b}
        # every board driven (a probe: polls until it holds)
        while True:
            view = placement(api["gw1"])
            if len(view) == n and all(link == "CONNECTED" for _, link in view.values()):
                break
            time.sleep(0.5)
        connected_s = time.perf_counter() - t0
        # the spread, once it stops changing: every board connected and the counts per node the
        # same for 10 s (five rebalance intervals), or after 120 s whatever it is then
        last, stable, spread_t = None, 0, time.perf_counter()
        while stable < 5 and time.perf_counter() - spread_t < 120:
            view = placement(api["gw1"])
            per = {g: sum(1 for node, _ in view.values() if node == g) for g in api}
            settled = per == last and all(link == "CONNECTED" for _, link in view.values())
            stable = stable + 1 if settled else 0
            last = per
            time.sleep(2)
        per_node = last
        fair = n / 3
        thread_counts = {g: threads(p.pid) for g, p in gws.items()}
        heap = {g: heap_used_mib(p.pid) for g, p in gws.items()}
        # the heap a node needs without boards: a node of its own cluster with one network board
        # (at a port nobody listens on), after the same requests
        base_conf = os.path.join(work, "baseline.conf")
        with open(base_conf, "w") as f:
            f.write(f'wasmfleet.gateway.network-boards {{ lone {{ endpoint = "tcp:127.0.0.1:{free_port()}", type = nucleo_f446re }} }}\n')
        base_api = free_port()
        base = subprocess.Popen(gateway_java() + ["-cp", gw_cp, "io.wasmfleet.gateway.GatewayMain", "--config", base_conf,
                                        "--node-name", "baseline", "--port", str(base_api)],
                                stdout=subprocess.PIPE, stderr=open(os.path.join(work, "baseline.err"), "w"), text=True)
        procs.append(base)
        for line in base.stdout:
            if line.strip() == "ready":
                break
        warm_up(base_api, a.warmup)
        base_heap = heap_used_mib(base.pid)
        base.kill()
        # latency, after untimed warm-up requests
        warm_up(api["gw2"], a.warmup)
        status_ms, boards_ms, status_failed, board_ms = [], [], [], []
        for _ in range(a.requests):
            ms, ans = timed(api["gw2"], FLEET_STATUS)
            status_ms.append(ms)
            failed = [r for r in ans.get("results", []) if not r.get("ok")]
            status_failed.append(len(failed))
            board_ms.extend(r["ms"] for r in ans.get("results", []) if isinstance(r.get("ms"), (int, float)))
            for r in failed[:3]:
                print(f"fleet status: {r.get('board')} on {r.get('node')} failed after {r.get('ms')} ms: {r.get('error')}",
                      file=sys.stderr)
            ms, ans = timed(api["gw2"], {"v": 2, "cmd": "boards"})
            boards_ms.append(ms)
        # the fleet page: gw3's page shows a deploy made through gw1 to a board gw2 drives
        on_gw2 = sorted(b for b, (node, _) in placement(api["gw1"]).items() if node == "gw2")[:a.page_deploys]
        page_ms = page_latency(pages["gw3"], api["gw1"], on_gw2, wasm_module(512, 1))
        # failover: kill -9 the busiest node
        busiest = max(per_node, key=per_node.get)
        survivor = next(g for g in api if g != busiest)
        gws[busiest].send_signal(signal.SIGKILL)
        killed = time.perf_counter()
        killed_wall = datetime.datetime.now()
        missed, polls = 0, 0
        while time.perf_counter() - killed < 120:
            view = placement(api[survivor])
            polls += 1
            if len(view) < n:
                missed += 1
            # driven again: on a survivor, out of the hand-over (NOT_ANSWERING is the view's own
            # 1 s limit on a busy node, not the board's state; counted below)
            if all(node != busiest and link not in ("MOVING", "OWNER_DOWN", "STARTING", "DISCONNECTED")
                   for node, link in view.values()):
                break
            time.sleep(0.2)
        failover_s = time.perf_counter() - killed
        not_answering = sum(1 for _, link in view.values() if link == "NOT_ANSWERING")
        timeline = failover_timeline(work, [g for g in api if g != busiest], killed_wall, failover_s)
        rows = [
            ("boards", f"{n} network boards (one bin/agent-sim), 3 gateway nodes, all on this machine"),
            ("all boards CONNECTED after start", f"{connected_s:.1f} s"),
            ("boards per node (settled)", ", ".join(f"{g} {c}" for g, c in per_node.items())
             + f"; largest / fair share = {max(per_node.values()) / fair:.2f}"),
            ("threads per node", ", ".join(f"{g} {c}" for g, c in thread_counts.items())),
            ("live heap per node (after a full GC)", ", ".join(f"{g} {h:.0f} MiB" for g, h in heap.items())
             + f"; a node without boards: {base_heap:.0f} MiB; per board on the busiest node: "
             f"{(heap[busiest] - base_heap) * 1024 / max(1, per_node[busiest]):.0f} KiB (what its boards add / its boards),"
             f" {heap[busiest] * 1024 / max(1, per_node[busiest]):.0f} KiB counting all of the node's heap"),
            ("`fleet status --select all`", f"p50 {pct(status_ms, 50):.0f} ms, p99 {pct(status_ms, 99):.0f} ms ({a.requests} runs after {a.warmup} untimed;"
             f" boards failed per run: max {max(status_failed)}; a board's own time on its node, the answers' `ms`:"
             f" p50 {pct(board_ms, 50):.0f} ms, p99 {pct(board_ms, 99):.0f} ms)"),
            ("v2 `boards`", f"p50 {pct(boards_ms, 50):.0f} ms, p99 {pct(boards_ms, 99):.0f} ms ({a.requests} runs after {a.warmup} untimed)"),
            ("fleet page: a deploy through gw1 to a board on gw2, shown on gw3's page after its answer",
             f"p50 {pct(page_ms, 50):.0f} ms, max {max(page_ms):.0f} ms ({len(page_ms)} deploys, each to another board;"
             " the page refreshes every 250 ms)"),
            ("kill -9 of the busiest node: every board driven again", f"{failover_s:.1f} s ({busiest}, {per_node[busiest]} boards)"),
            ("failover timeline (the survivors' logs, seconds after the kill)", timeline),
            ("`boards` polls during the failover that missed a board", f"{missed} of {polls}"
             + f" (in the last, {not_answering} boards were listed NOT_ANSWERING: their node took over 1 s)"),
        ]
        md = ["# Fleet scale", "", f"Machine: {machine()}.",
              "Measured by `benchmarks/fleet-scale.sh --boards %d` in one run." % n, "",
              "| figure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
        write_report(a.out, md)
    finally:
        kill_all(procs)


if __name__ == "__main__":
    main()
