#!/usr/bin/env bash
# LOAD v1 against LOAD v2 on UART-paced simulated boards through the gateway and bin/host;
# writes benchmarks/results/load-throughput.md.
#   benchmarks/load-throughput.sh [--loads 1000] [--out FILE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib.sh"
require_java
exec python3 "$WASMFLEET_ROOT/benchmarks/load-throughput.py" "$@"
