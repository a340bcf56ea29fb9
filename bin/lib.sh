# Shared by the bin/ launchers: where things are, the system tools they need, and building
# what a launcher runs. Source it; do not run it.

WASMFLEET_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WASM_BUILD_DIR=${WASM_BUILD_DIR:-$WASMFLEET_ROOT/build/wasm}
CLASSPATH_DIR=$WASMFLEET_ROOT/build/classpath
export WASM_BUILD_DIR

say() { printf '%s\n' "$*" >&2; }

# The JVM options of a gateway node, one a line: $WASMFLEET_JAVA_OPTS, and on a machine of two
# cores or fewer the serial collector unless those name a collector. A node's live heap is tens
# of MiB; on 2 cores the serial collector left more CPU to the requests than the JVM's default
# (G1): with 1,000 boards on three nodes, fleet status p50 226-239 ms against 245-292 ms, p99
# 414-514 ms against 464-590 ms, three runs each (benchmarks/results/fleet-scale.md).
gateway_java_opts() {
  local opts=()
  read -r -a opts <<< "${WASMFLEET_JAVA_OPTS:-}"
  if [[ ! "${WASMFLEET_JAVA_OPTS:-}" =~ -XX:\+Use[A-Za-z0-9]*GC ]] && [ "$(nproc 2>/dev/null || echo 4)" -le 2 ]; then
    opts=(-XX:+UseSerialGC "${opts[@]}")
  fi
  [ ${#opts[@]} -eq 0 ] || printf '%s\n' "${opts[@]}"
}
die() { say "$(basename "$0"): $*"; exit 1; }

# Debian packages the project needs on the machine, and a command that shows each is there.
declare -A WASMFLEET_PACKAGES=(
  [clang]="clang"
  [lld]="wasm-ld"
  [wabt]="wat2wasm"
  [socat]="socat"
  [python3-serial]="/usr/bin/python3 -c 'import serial'"
  [cmake]="cmake"
  [ninja-build]="ninja"
  [libcmocka-dev]="test -f /usr/include/cmocka.h"
  [libssl-dev]="test -f /usr/include/openssl/evp.h"
  [libmbedtls-dev]="test -f /usr/include/psa/crypto.h"
  [chromium]="chromium"
  [gcc-arm-none-eabi]="arm-none-eabi-gcc"
  [libnewlib-arm-none-eabi]="test -d /usr/lib/arm-none-eabi/newlib"
)

package_present() {
  local pkg=$1
  if command -v dpkg-query >/dev/null 2>&1; then
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"
  else
    eval "command -v ${WASMFLEET_PACKAGES[$pkg]%% *}" >/dev/null 2>&1
  fi
}

# require_packages PKG...: installs what is missing when we are root (or sudo needs no
# password); otherwise prints the one apt-get command to run and stops.
require_packages() {
  local missing=()
  for pkg in "$@"; do
    package_present "$pkg" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local apt=(apt-get install -y --no-install-recommends "${missing[@]}")
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      die "missing system packages: ${missing[*]}
Install them with:
  sudo apt-get update && sudo ${apt[*]}"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing system packages: ${missing[*]} (and no apt-get here to install them)"
  say "installing system packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -qq >/dev/null \
    || die "apt-get update failed; install by hand: ${apt[*]}"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" "${apt[@]}" -qq >/dev/null \
    || die "installing ${missing[*]} failed; install by hand: ${apt[*]}"
}

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found: install a JDK 17 (apt-get install --no-install-recommends openjdk-17-jdk-headless)"
  command -v mvn >/dev/null 2>&1 || die "mvn not found: install Maven 3.8+ (apt-get install --no-install-recommends maven)"
  local version
  version=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
  [ "${version%%.*}" -ge 17 ] 2>/dev/null || die "Java 17 or newer needed, found ${version:-unknown}"
}

# A user's clone has nothing beside it: no source, script or build file may reach outside the
# repository (test fixtures live in testdata/).
require_self_contained() {
  local sibling=shared hits # the folder beside a developer's checkout, which a user's clone lacks
  hits=$(cd "$WASMFLEET_ROOT" && git ls-files -co --exclude-standard 2>/dev/null \
    | grep -v '\.md$' | tr '\n' '\0' \
    | xargs -0 grep -lF -e "../$sibling" 2>/dev/null || true)
  [ -z "$hits" ] || die "these files reach outside the repository (into ../$sibling): $hits"
}

build_wasm() {
  require_packages clang lld wabt
  "$WASMFLEET_ROOT/wasm/build.sh" >&2
}

# Maven 3.8 prints colour codes even in batch mode; keep them off the terminal.
no_ansi() { sed -u 's/\x1b\[[0-9;]*m//g'; }

# True when any tracked source of the Java build is newer than FILE.
java_sources_newer_than() {
  local stamp=$1
  [ -e "$stamp" ] || return 0
  # the Maven modules' poms and main sources only (walking the whole tree took 30 ms of each run)
  local r=$WASMFLEET_ROOT
  [ -n "$(find "$r"/pom.xml "$r"/*/pom.xml "$r"/*/*/pom.xml "$r"/*/src/main "$r"/*/*/src/main \
      -newer "$stamp" -print -quit 2>/dev/null)" ]
}

# classpath_of MODULE_DIR: builds the Java modules when their sources changed, then prints the
# runtime classpath of MODULE_DIR (its jar and dependencies).
classpath_of() {
  local module=$1 stamp=$CLASSPATH_DIR/.built
  mkdir -p "$CLASSPATH_DIR"
  if java_sources_newer_than "$stamp"; then
    require_java
    say "building the Java modules (first run, or sources changed)..."
    (cd "$WASMFLEET_ROOT" && mvn -B -q -DskipTests install 2>&1 | no_ansi >&2) || die "the Maven build failed"
    rm -f "$CLASSPATH_DIR"/*.txt "$CLASSPATH_DIR"/*.jsa "$CLASSPATH_DIR"/*.aot
    touch "$stamp"
  fi
  local file=$CLASSPATH_DIR/${module//\//_}.txt
  if [ ! -s "$file" ]; then
    require_java
    (cd "$WASMFLEET_ROOT/$module" && mvn -B -q dependency:build-classpath \
        -DincludeScope=runtime -Dmdep.outputFile="$file" 2>&1 | no_ansi >&2) \
      || die "could not work out the classpath of $module"
  fi
  local jar candidate # the module's own jar (globbed by bash: bin/host starts in as few processes as it can)
  for candidate in "$WASMFLEET_ROOT/$module"/target/*.jar; do
    case $candidate in *-sources.jar|*-tests.jar) ;; *) [ -e "$candidate" ] && jar=$candidate && break ;; esac
  done
  printf '%s:%s' "${jar:-}" "$(<"$file")"
}

# wait_ready NAME LOG PID: returns once process PID (a gateway, the simulator) printed its line
# `ready` to LOG; else shows the end of LOG (and of its .err beside it) and dies: when the process
# exited first, or after 120 s.
wait_ready() {
  local logs=("$2")
  [ -f "${2%.*}.err" ] && logs+=("${2%.*}.err")
  for _ in $(seq 1200); do
    grep -q '^ready$' "$2" 2>/dev/null && return 0
    if ! kill -0 "$3" 2>/dev/null; then
      tail -n 20 "${logs[@]}" >&2
      die "$1 did not start; see $2"
    fi
    sleep 0.1
  done
  tail -n 20 "$2" >&2
  die "$1 did not become ready; see $2"
}

# run_classpath CP: CP for a process that keeps running (a gateway, the simulator), with the
# project's own jars taken from this checkout (not from whichever checkout last installed them in
# ~/.m2) and copied to build/classpath/jars/. A build rewrites a jar in place, and a JVM reading
# it meanwhile fails on its next class load (bin/test or a rebuild by bin/host beside a running
# bin/gateway killed it); the copies are never rewritten. Copies unused for 3 days are removed.
run_classpath() {
  local dir=$CLASSPATH_DIR/jars entry own name candidate copy entries out=()
  local IFS=:
  read -ra entries <<< "$1"
  mkdir -p "$dir"
  for entry in "${entries[@]}"; do
    [ -n "$entry" ] || continue
    own=$entry
    case $entry in
      */io/wasmfleet/*.jar)
        name=${entry##*/}
        for candidate in "$WASMFLEET_ROOT"/*/target/"$name" "$WASMFLEET_ROOT"/*/*/target/"$name"; do
          if [ -f "$candidate" ]; then own=$candidate; break; fi
        done ;;
      "$WASMFLEET_ROOT"/*/target/*.jar) ;;
      *) out+=("$entry"); continue ;;
    esac
    copy=$dir/$(stat -c %Y-%s "$own")-${own##*/}
    if [ ! -f "$copy" ]; then
      cp "$own" "$copy.$$.part" && mv -f "$copy.$$.part" "$copy" || die "could not copy $own to $dir"
    fi
    touch "$copy"
    out+=("$copy")
  done
  find "$dir" -name '*.jar' -mmin +4320 -delete 2>/dev/null || true
  printf '%s' "${out[*]}"
}

# host_java_24: a java of JDK 24 or newer (for an AOT cache), or nothing; looked for once
# (WASMFLEET_HOST_JAVA, JAVA_HOME, /usr/lib/jvm/*) and remembered in build/classpath/.
host_java_24() {
  local memo=$CLASSPATH_DIR/host-java.txt
  if [ ! -f "$memo" ]; then
    local found="" j v
    for j in ${WASMFLEET_HOST_JAVA:-} ${JAVA_HOME:+$JAVA_HOME/bin/java} /usr/lib/jvm/*/bin/java; do
      [ -x "$j" ] || continue
      v=$("$j" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
      if [ "${v%%.*}" -ge 24 ] 2>/dev/null; then found=$j; break; fi
    done
    mkdir -p "$CLASSPATH_DIR"
    printf '%s' "$found" > "$memo"
  fi
  printf '%s' "$(<"$memo")"
}

# not_yet NAME WHAT ISSUE: for a launcher whose program has not been written yet.
not_yet() {
  say "$1: $2"
  say "This launcher is not implemented yet (see issue: $3). Nothing was started."
  exit 1
}
