#!/usr/bin/env bash
# Whole-process wall time of `bin/host status` against a running gateway, for three ways of
# starting the JVM: plain java; C1 only + serial GC; and what bin/host does (those plus a
# class data sharing archive, or an AOT cache with a JDK >= 24), next to a Python v1 client like
# the seed's host.py (benchmarks/reference/host_v1.py). Writes benchmarks/results/host-startup.md.
#   benchmarks/host-startup.sh [RUNS]     (default 15 runs per variant; the median is reported)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib.sh"
runs=${1:-15}
cd "$WASMFLEET_ROOT"

cp=$(classpath_of cli)
gwcp=$(classpath_of orchestrator/app)
log=$(mktemp)
java -cp "$gwcp" io.wasmfleet.gateway.GatewayMain --config conf/gateway.conf --port 0 > "$log" 2>/dev/null &
gw=$!
trap 'kill $gw 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 600); do grep -q '^ready$' "$log" && break; kill -0 $gw || { echo "gateway did not start" >&2; exit 1; }; sleep 0.1; done
port=$(sed -n 's/.*host API on [^:]*:\([0-9]*\).*/\1/p' "$log" | head -n 1)
bin/host --gw-port "$port" --device nucleo_f446 status > /dev/null   # makes the CDS archive if missing

ms() { local s; s=$(date +%s%N); "$@" > /dev/null 2>&1; echo $(( ($(date +%s%N) - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
args=(io.wasmfleet.cli.HostCli --gw-port "$port" --device nucleo_f446 status)
declare -A result
result[plain]=$(for _ in $(seq "$runs"); do ms java -cp "$cp" "${args[@]}"; done | median)
result[tuned]=$(for _ in $(seq "$runs"); do ms java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$cp" "${args[@]}"; done | median)
result[binhost]=$(for _ in $(seq "$runs"); do ms bin/host --gw-port "$port" --device nucleo_f446 status; done | median)
# the yardstick: a v1 client in Python like the seed's host.py (benchmarks/reference/host_v1.py),
# run by the system's interpreter itself (a version manager's shim on PATH adds its own start-up)
py=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
result[python]=$(for _ in $(seq "$runs"); do ms "$py" benchmarks/reference/host_v1.py --gw-port "$port" --device nucleo_f446 status; done | median)
# with a JDK 24+ beside (bin/host then uses an AOT cache instead of the CDS archive)
newer=$(host_java_24)
if [ -n "$newer" ]; then
  bin/host --gw-port "$port" --device nucleo_f446 status > /dev/null   # starts making the AOT cache
  for _ in $(seq 600); do [ -f "$CLASSPATH_DIR/host.aot" ] && [ ! -d "$CLASSPATH_DIR/host.aot.lock" ] && break; sleep 0.1; done
  result[aot]=$(for _ in $(seq "$runs"); do ms bin/host --gw-port "$port" --device nucleo_f446 status; done | median)
  jsa=$CLASSPATH_DIR/host.jsa   # what bin/host does with JDK 17 alone
  [ -f "$jsa" ] || java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ArchiveClassesAtExit="$jsa" -cp "$cp" "${args[@]}" > /dev/null 2>&1
  result[cds]=$(for _ in $(seq "$runs"); do ms java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Xshare:auto -XX:SharedArchiveFile="$jsa" -cp "$cp" "${args[@]}"; done | median)
fi

mkdir -p benchmarks/results
{
  echo "# bin/host start-up: whole-process wall time of \`host --device nucleo_f446 status\`"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(java -version 2>&1 | head -n1), $(nproc) cores; median of $runs runs against a local gateway (embedded default)."
  echo
  echo "| how the JVM starts | wall ms |"
  echo "|---|---:|"
  echo "| java -cp ... (plain) | ${result[plain]} |"
  echo "| -XX:TieredStopAtLevel=1 -XX:+UseSerialGC | ${result[tuned]} |"
  if [ -n "${result[aot]:-}" ]; then
    echo "| those + the class data sharing archive (JDK 17) | ${result[cds]} |"
    echo "| bin/host: $($newer -version 2>&1 | head -n1) with its AOT cache, incl. the bash launcher | ${result[aot]} |"
    mine=${result[aot]}
  else
    echo "| bin/host (those + class data sharing archive, incl. the bash launcher) | ${result[binhost]} |"
    mine=${result[binhost]}
  fi
  echo "| $py benchmarks/reference/host_v1.py (a v1 client like the seed's host.py; $("$py" --version)) | ${result[python]} |"
  echo
  echo "bin/host / the Python client: $(awk -v a="$mine" -v b="${result[python]}" 'BEGIN { printf "%.2fx", a / b }')" \
    "(issue 12's goal: at most 0.7x). Both times include the same request to the same gateway."
} > benchmarks/results/host-startup.md
cat benchmarks/results/host-startup.md
