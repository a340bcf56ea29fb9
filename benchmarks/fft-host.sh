#!/usr/bin/env bash
# FFT on this host: native C vs Chicory interpreter vs Chicory compiler (two memory backends).
# Writes benchmarks/results/fft-host.md. Extra arguments: --iterations N --rounds R --out FILE.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib.sh"
build_wasm
cp=$(classpath_of benchmarks)
cd "$WASMFLEET_ROOT"
exec java -cp "$cp" io.wasmfleet.benchmarks.FftHostBenchmark "$@"
