#!/usr/bin/env python3
"""A host API v1 client written from docs/host-api.md, the yardstick for bin/host's start-up.

The seed's host.py is not in this repository; this is a stand-in that does what the v1
documentation says such a client does, and nothing more: parse the seed's command line, open
one TCP connection, send one JSON line (then the blob for load and build_and_load), read the
answer until the gateway closes, print e2e_latency_ms=<ms> and the answer, indented.
benchmarks/host-startup.sh times it next to bin/host against the same gateway.

    host_v1.py [--gw-host H] [--gw-port P] --device D status
    host_v1.py ... load --module-id M --wasm FILE [--replace] [--replace-victim V]
    host_v1.py ... build_and_load --module-id M --source FILE.c [--mode wasm|aot] [--replace] [--replace-victim V]
    host_v1.py ... start --module-id M [--func-name F] [--func-args A] [--wait-result] [--result-timeout S]
    host_v1.py ... stop --module-id M [--result-timeout S]
"""
import argparse
import json
import socket
import sys
import time
import zlib


def request(host, port, req, blob=b"", timeout=60.0):
    started = time.perf_counter()
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall((json.dumps(req) + "\n").encode() + blob)
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    ms = (time.perf_counter() - started) * 1000
    return ms, json.loads(got.decode().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(prog="host_v1.py")
    ap.add_argument("--gw-host", default="127.0.0.1")
    ap.add_argument("--gw-port", type=int, default=9000)
    ap.add_argument("--device", required=True)
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("status")
    for name in ("load", "deploy"):
        p = sub.add_parser(name)
        p.add_argument("--module-id", required=True)
        p.add_argument("--wasm", required=True)
        p.add_argument("--replace", action="store_true")
        p.add_argument("--replace-victim")
    for name in ("build_and_load", "build-and-deploy"):
        p = sub.add_parser(name)
        p.add_argument("--module-id", required=True)
        p.add_argument("--source", required=True)
        p.add_argument("--mode", choices=("wasm", "aot"), default="wasm")
        p.add_argument("--replace", action="store_true")
        p.add_argument("--replace-victim")
    p = sub.add_parser("start")
    p.add_argument("--module-id", required=True)
    p.add_argument("--func-name")
    p.add_argument("--func-args")
    p.add_argument("--wait-result", action="store_true")
    p.add_argument("--result-timeout", type=float, default=10)
    p = sub.add_parser("stop")
    p.add_argument("--module-id", required=True)
    p.add_argument("--result-timeout", type=float, default=10)
    a = ap.parse_args()

    req, blob = {"device": a.device}, b""
    if a.command == "status":
        req["cmd"] = "status"
    elif a.command in ("load", "deploy", "build_and_load", "build-and-deploy"):
        source = a.command.startswith("build")
        with open(a.source if source else a.wasm, "rb") as f:
            blob = f.read()
        field = "source" if source else "blob"
        req.update({"cmd": "build_and_load" if source else "load", "module_id": a.module_id,
                    f"{field}_size": len(blob), f"{field}_crc32": f"{zlib.crc32(blob) & 0xffffffff:08x}"})
        if source:
            req["mode"] = a.mode
        if a.replace:
            req["replace"] = True
        if a.replace_victim:
            req["replace_victim"] = a.replace_victim
    elif a.command == "start":
        req.update({"cmd": "start", "module_id": a.module_id, "wait_result": a.wait_result,
                    "result_timeout": a.result_timeout})
        if a.func_name:
            req["func_name"] = a.func_name
        if a.func_args:
            req["func_args"] = a.func_args
    else:
        req.update({"cmd": "stop", "module_id": a.module_id, "result_timeout": a.result_timeout})
    ms, answer = request(a.gw_host, a.gw_port, req, blob, timeout=max(60.0, req.get("result_timeout", 0) + 30))
    print(f"e2e_latency_ms={ms:.2f}")
    print(json.dumps(answer, indent=2))
    return 0 if answer.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
