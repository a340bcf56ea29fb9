#!/usr/bin/env bash
# The firmware tests that run without Zephyr or WAMR (bin/test calls this):
#  1. the core's cmocka unit tests, with AddressSanitizer and UBSan (and the boards' PSA signature
#     check on the host's Mbed TLS);
#  2. the core cross-compiled for the boards' CPUs (arm-none-eabi-gcc -Os -Werror, Cortex-M4
#     with FPv4-SP, Cortex-M7 with FPv5), and their size table.
# Builds under build/firmware/. The size table goes to $FIRMWARE_SIZE_OUT (default
# build/firmware/firmware-size.md); benchmarks/results/firmware-size.md is a copy of it.
# Needs cmake, ninja, libcmocka-dev, libssl-dev, libmbedtls-dev, gcc-arm-none-eabi,
# libnewlib-arm-none-eabi.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=$root/build/firmware
size_out=${FIRMWARE_SIZE_OUT:-$out/firmware-size.md}

cmake -S "$here" -B "$out/unit" -G Ninja -DAGENT_SANITIZE=ON >/dev/null
ninja -C "$out/unit" >/dev/null
(cd "$out/unit" && ctest --output-on-failure)

{
  echo "# The firmware core's size on the boards' CPUs"
  echo
  echo "$(arm-none-eabi-gcc --version | head -n 1); -Os -mthumb -mfloat-abi=hard, -ffunction-sections."
  echo "Bytes per object file of \`firmware/core\` and of the built-in native benchmarks (\`firmware/bench\`,"
  echo "\`wasm/c/fft_bench.c\`) (text = flash; data + bss = RAM), from \`arm-none-eabi-size\`. WAMR and the Zephyr"
  echo "glue are not in it: they need a Zephyr workspace (\`west build -t rom_report\`)."
  echo
  echo "| file | cortex-m4 text | data | bss | cortex-m7 text | data | bss |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} > "$size_out.tmp"
declare -A sizes
for cpu in cortex-m4 cortex-m7; do
  cmake -S "$here" -B "$out/$cpu" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$here/cross/arm-none-eabi.cmake" \
    -DAGENT_CPU="$cpu" >/dev/null
  ninja -C "$out/$cpu" >/dev/null
  while read -r text data bss _ _ file _; do
    sizes[$cpu:${file%.obj}]="$text | $data | $bss"
  done < <(arm-none-eabi-size "$out/$cpu/core/libagent_core.a" "$out/$cpu/libnative_bench.a" | grep -v '^ *text')
done
# the core as the F446's default build has it (no built-in benchmarks) must compile too
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard -Os -std=c11 -Wall -Wextra -Werror \
  -DAGENT_MAX_BUILTINS=0 -I"$here/core/include" -fsyntax-only "$here/core/src/agent.c"
total4=0 total7=0
for key in "${!sizes[@]}"; do
  case $key in cortex-m4:*) echo "${key#cortex-m4:}";; esac
done | sort | while read -r file; do
  echo "| $file | ${sizes[cortex-m4:$file]} | ${sizes[cortex-m7:$file]} |"
done >> "$size_out.tmp"
for key in "${!sizes[@]}"; do
  t=${sizes[$key]%% |*}
  case $key in cortex-m4:*) total4=$((total4 + t));; cortex-m7:*) total7=$((total7 + t));; esac
done
echo "| **total text** | **$total4** | | | **$total7** | | |" >> "$size_out.tmp"
mv "$size_out.tmp" "$size_out"
echo "firmware: unit tests passed; core cross-compiled for cortex-m4 ($total4 B text) and cortex-m7 ($total7 B text); $size_out"
