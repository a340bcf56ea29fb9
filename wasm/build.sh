#!/usr/bin/env bash
# Builds every module in wasm/ into build/wasm/ (or $WASM_BUILD_DIR): the C modules with the
# seed's clang flags, the WAT modules with wat2wasm, and the native FFT host baseline.
# Rebuilds only what changed. Needs clang, lld (wasm-ld), wat2wasm and python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${WASM_BUILD_DIR:-$here/../build/wasm}
mkdir -p "$out/gen"
out=$(cd "$out" && pwd)

for tool in clang wasm-ld wat2wasm python3; do
  command -v "$tool" >/dev/null || { echo "wasm/build.sh: '$tool' not found (run bin/test, or: apt-get install --no-install-recommends clang lld wabt python3)" >&2; exit 1; }
done

# The seed's flags; one 64 KiB page, and __heap_base/__data_end exported so WAMR can shrink
# the linear memory to what the module uses (a 100 KiB pool holds two modules).
WASM_CFLAGS=(--target=wasm32-unknown-unknown -O3 -nostdlib -Wl,--no-entry
  -Wl,--initial-memory=65536 -Wl,--max-memory=65536
  -Wl,--export=__heap_base -Wl,--export=__data_end)

stack_size() {
  case "$1" in
    fft_bench) echo 16384 ;;   # as in the seed's FFT build
    *) echo 2048 ;;            # as in the seed's toggle build
  esac
}

# newer TARGET SOURCES...: true when TARGET is missing or older than any source
newer() {
  local target=$1; shift
  [ -e "$target" ] || return 0
  for s in "$@"; do [ "$s" -nt "$target" ] && return 0; done
  return 1
}

twiddles=$out/gen/fft_twiddles.h
if newer "$twiddles" "$here/tools/gen_twiddles.py"; then
  python3 "$here/tools/gen_twiddles.py" --n 1024 "$twiddles"
fi

for src in "$here"/c/*.c; do
  name=$(basename "$src" .c)
  target=$out/$name.wasm
  if newer "$target" "$src" "$twiddles" "$0"; then
    clang "${WASM_CFLAGS[@]}" "-Wl,-z,stack-size=$(stack_size "$name")" -I "$out/gen" \
      -o "$target" "$src"
    echo "built $target"
  fi
done

for src in "$here"/wat/*.wat; do
  name=$(basename "$src" .wat)
  target=$out/$name.wasm
  if newer "$target" "$src"; then
    wat2wasm "$src" -o "$target"
    echo "built $target"
  fi
done

# Native host baseline: the same FFT source. No FMA contraction, so the float results match wasm.
native=$out/fft_bench_native
if newer "$native" "$here/c/fft_bench.c" "$twiddles"; then
  cc -O3 -ffp-contract=off -DFFT_HOST_MAIN -I "$out/gen" -o "$native" "$here/c/fft_bench.c"
  echo "built $native"
fi
