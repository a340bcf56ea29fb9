#!/usr/bin/env bash
# What the gateway adds to a STATUS over a direct socket to an identical simulated board;
# writes benchmarks/results/gateway-overhead.md.
#   benchmarks/gateway-overhead.sh [--requests 1500] [--warmup 3000] [--out FILE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib.sh"
require_java
exec python3 "$WASMFLEET_ROOT/benchmarks/gateway-overhead.py" "$@"
