#!/usr/bin/env bash
# Whole-process wall time of `bin/host status` against a running gateway, for three ways of
# starting the JVM: plain java; C1 only + serial GC; and what bin/host does (those plus a
# class data sharing archive, or an AOT cache with a JDK >= 24), next to a Python v1 client like
# the seed's host.py (benchmarks/reference/host_v1.py). Writes benchmarks/results/host-startup.md.
#   benchmarks/host-startup.sh [RUNS]     (default 21 runs per variant; the median is reported)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/lib.sh"
runs=${1:-21}
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
# with a JDK 24+ beside, bin/host uses an AOT cache instead of the CDS archive: wait for it
newer=$(host_java_24)
if [ -n "$newer" ]; then
  for _ in $(seq 600); do [ -f "$CLASSPATH_DIR/host.aot" ] && [ ! -d "$CLASSPATH_DIR/host.aot.lock" ] && break; sleep 0.1; done
  jsa=$CLASSPATH_DIR/host.jsa   # what bin/host does with JDK 17 alone
  [ -f "$jsa" ] || java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ArchiveClassesAtExit="$jsa" \
    -Dwasmfleet.host.archive-at-exit=true -cp "$cp" "${args[@]}" > /dev/null 2>&1
  result[cds]=$(for _ in $(seq "$runs"); do ms java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Xshare:auto -XX:SharedArchiveFile="$jsa" -cp "$cp" "${args[@]}"; done | median)
fi
# the yardstick: a v1 client in Python like the seed's host.py (benchmarks/reference/host_v1.py),
# started as the seed's README starts it (`python host.py`: the python on PATH, here perhaps a
# version manager's shim) and by the system's interpreter itself. The three alternate run by run,
# so that the machine's drift (a shared VM here) falls on all of them alike.
pypath=$(command -v python3)
pysys=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo "$pypath")
times=$(mktemp -d)
for _ in $(seq "$runs"); do
  ms bin/host --gw-port "$port" --device nucleo_f446 status >> "$times/binhost"
  ms python3 benchmarks/reference/host_v1.py --gw-port "$port" --device nucleo_f446 status >> "$times/python"
  ms "$pysys" benchmarks/reference/host_v1.py --gw-port "$port" --device nucleo_f446 status >> "$times/pysys"
done
for k in binhost python pysys; do result[$k]=$(median < "$times/$k"); done
# and the ratio run by run (bin/host over the Python client started the seed's way), its median
result[paired]=$(paste "$times/binhost" "$times/python" | awk '{ printf "%.4f\n", $1 / $2 }' | median)
rm -rf "$times"

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
  mine=${result[binhost]}
  if [ -n "${result[cds]:-}" ]; then
    echo "| those + the class data sharing archive (JDK 17) | ${result[cds]} |"
    echo "| bin/host: $($newer -version 2>&1 | head -n1) with its AOT cache, incl. the bash launcher | ${result[binhost]} |"
  else
    echo "| bin/host (those + class data sharing archive, incl. the bash launcher) | ${result[binhost]} |"
  fi
  echo "| python3 benchmarks/reference/host_v1.py, as the seed's README runs host.py (python3 on PATH: $pypath; $(python3 --version)) | ${result[python]} |"
  echo "| $pysys benchmarks/reference/host_v1.py (the system's interpreter itself) | ${result[pysys]} |"
  echo
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
  echo "bin/host / the Python client run as the seed runs it: $(ratio "$mine" "${result[python]}");" \
    "/ the system's interpreter itself: $(ratio "$mine" "${result[pysys]}") (issue 12's goal: at most 0.7x)." \
    "Median of the $runs run-by-run ratios (bin/host over the seed's way): $(printf '%.2fx' "${result[paired]}")." \
    "All times include the same request to the same gateway."
} > benchmarks/results/host-startup.md
cat benchmarks/results/host-startup.md
