#!/usr/bin/env python3
"""What the gateway adds to one request: STATUS to a simulated board straight over its TCP
socket (one kept connection), against the same STATUS through a gateway node's host API to an
identical simulated board the gateway drives: on one kept host connection ({"keep": true}, the
like-for-like comparison) and with v1's new connection per request. Percentiles of each and of
the difference, measured in one run; writes benchmarks/results/gateway-overhead.md (or --out).

  benchmarks/gateway-overhead.sh [--requests 1500] [--warmup 3000] [--out FILE]
"""
import argparse, json, os, re, socket, sys, tempfile, time

from bench_procs import ROOT, classpath, gateway_java, kill_all, machine, pct, start, write_report



def direct_status(sock, reader):
    t = time.perf_counter()
    sock.sendall(b"STATUS\n")
    while True:
        line = reader.readline()
        if line.startswith("STATUS_OK"):
            return (time.perf_counter() - t) * 1000


def gateway(port, request, want_ok):
    """One host API v1 request on its own connection (as host.py does); its time in ms."""
    t = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall((json.dumps(request) + "\n").encode())
        answer = json.loads(s.makefile().readline())
    ms = (time.perf_counter() - t) * 1000
    if answer.get("ok") != want_ok:
        raise SystemExit(f"unexpected answer to {request}: {answer}")
    return ms


class Kept:
    """One host API connection kept open with "keep": true; requests go one after another."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile()

    def ask(self, request, want_ok):
        t = time.perf_counter()
        self.sock.sendall((json.dumps(dict(request, keep=True)) + "\n").encode())
        answer = json.loads(self.reader.readline())
        ms = (time.perf_counter() - t) * 1000
        if answer.get("ok") != want_ok:
            raise SystemExit(f"unexpected answer to {request}: {answer}")
        return ms


STATUS = {"cmd": "status", "device": "viagw"}
# a request the host API answers itself: the connection and the edge, no board
EDGE = {"cmd": "no-such-cmd"}
# the warm-up's first rounds, reported as a fresh gateway's figures
FRESH = 500


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1500)
    ap.add_argument("--warmup", type=int, default=3000)
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks/results/gateway-overhead.md"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="gateway-overhead-")
    procs = []
    try:
        sim, printed = start(["java", "-cp", classpath("device-agent-sim"), "io.wasmfleet.sim.AgentSim",
                              "--board", "direct=nucleo_f446re:0", "--board", "viagw=nucleo_f446re:0"],
                             os.path.join(work, "sim.err"))
        procs.append(sim)
        ports = {m.group(1): int(m.group(2)) for m in
                 (re.match(r"^board (\S+) .*endpoint=tcp:127\.0\.0\.1:(\d+)$", l) for l in printed) if m}
        gw, out = start(gateway_java() + ["-cp", classpath("orchestrator/app"), "io.wasmfleet.gateway.GatewayMain",
                         "--port", "0", "--board", f"viagw=tcp:127.0.0.1:{ports['viagw']}:nucleo_f446re"],
                        os.path.join(work, "gw.err"))
        procs.append(gw)
        api = int(next(m.group(1) for m in (re.search(r"host API on [^:]+:(\d+)", l) for l in out) if m))
        sock = socket.create_connection(("127.0.0.1", ports["direct"]))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile()
        kept = Kept(api)
        # A gateway serves for days: what it adds is measured once the JIT has compiled its path.
        # Both paths are warmed up, then alternate so both see the same machine. The first rounds
        # of the warm-up are kept: they are what a fresh gateway adds.
        fresh_direct, fresh_kept = [], []
        for i in range(a.warmup):
            d = direct_status(sock, reader)
            k = kept.ask(STATUS, True)
            if i < FRESH:
                fresh_direct.append(d)
                fresh_kept.append(k)
            kept.ask(EDGE, False)
            gateway(api, STATUS, True)
            gateway(api, EDGE, False)
        direct, viakept, edgekept, via, edge = [], [], [], [], []
        for _ in range(a.requests):
            direct.append(direct_status(sock, reader))
            viakept.append(kept.ask(STATUS, True))
            edgekept.append(kept.ask(EDGE, False))
            via.append(gateway(api, STATUS, True))
            edge.append(gateway(api, EDGE, False))
        d50, k50, v50 = pct(direct, 50), pct(viakept, 50), pct(via, 50)
        diffs = sorted(k - d for k, d in zip(viakept, direct))
        verdict = "met" if k50 - d50 <= 0.3 else "not met"
        fresh_rows, fresh_text = [], []
        if fresh_kept:
            n, f50, fk50 = len(fresh_kept), pct(fresh_direct, 50), pct(fresh_kept, 50)
            fresh_rows = [
                f"| a fresh gateway: the warm-up's first {n}, direct | {f50:.3f} | {pct(fresh_direct, 90):.3f} | {pct(fresh_direct, 99):.3f} |",
                f"| a fresh gateway: the warm-up's first {n}, through the gateway, kept | {fk50:.3f} | {pct(fresh_kept, 90):.3f} | {pct(fresh_kept, 99):.3f} |"]
            fresh_text = ["", f"A fresh gateway, its first {n} requests (the JIT still compiling its path): "
                              f"+{fk50 - f50:.3f} ms at p50 ({fk50 / f50:.2f}x)."]
        md = ["# Gateway overhead: STATUS", "",
              f"Machine: {machine()}. Measured by `benchmarks/gateway-overhead.sh` in one run:",
              f"{a.requests} STATUS requests each way after {a.warmup} warm-up rounds (a gateway serves for days: its",
              "path is measured once the JIT has compiled it), the paths alternating so all see the same machine.",
              "Direct: one kept TCP connection to a simulated board. Through the gateway: to an",
              "identical simulated board that the gateway drives over TCP, on one kept host API connection",
              "(`\"keep\": true`, like for like) and with v1's new connection per request (as host.py does).",
              "Times are host wall-clock times on this machine (the boards are simulated).", "",
              "| path | p50 ms | p90 ms | p99 ms |", "|---|---:|---:|---:|",
              f"| direct to the board | {d50:.3f} | {pct(direct, 90):.3f} | {pct(direct, 99):.3f} |",
              f"| through the gateway, kept connection | {k50:.3f} | {pct(viakept, 90):.3f} | {pct(viakept, 99):.3f} |",
              f"| the host API alone, kept connection (a request it refuses itself, no board) | {pct(edgekept, 50):.3f} | {pct(edgekept, 90):.3f} | {pct(edgekept, 99):.3f} |",
              f"| through the gateway, a connection per request (v1) | {v50:.3f} | {pct(via, 90):.3f} | {pct(via, 99):.3f} |",
              f"| the host API alone, a connection per request | {pct(edge, 50):.3f} | {pct(edge, 90):.3f} | {pct(edge, 99):.3f} |",
              *fresh_rows, "",
              f"Overhead at p50, kept connection: +{k50 - d50:.3f} ms ({k50 / d50:.2f}x); the pairwise difference",
              f"(gateway minus direct, request by request) p50 +{pct(diffs, 50):.3f} ms, p90 +{pct(diffs, 90):.3f} ms.",
              f"Goal (issue 12): at most +0.3 ms at p50: **{verdict}**.", "",
              f"With a new connection per request: +{v50 - d50:.3f} ms ({v50 / d50:.1f}x); most of it is opening",
              "the connection (compare the two \"host API alone\" rows).", *fresh_text]
        write_report(a.out, md)
    finally:
        kill_all(procs)


if __name__ == "__main__":
    main()
