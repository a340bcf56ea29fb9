#!/usr/bin/env bash
# A big simulated fleet on this machine (N network boards, three gateway nodes): boards per
# node, threads, heap, request percentiles and failover time; writes benchmarks/results/fleet-scale.md.
#   benchmarks/fleet-scale.sh [--boards 300] [--requests 40] [--out FILE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib.sh"
require_java
command -v jcmd >/dev/null || die "jcmd not found (it comes with the JDK)"
exec python3 "$WASMFLEET_ROOT/benchmarks/fleet-scale.py" "$@"
