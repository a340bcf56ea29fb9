// Runs one benchmark of a wasm module in Node's V8 and prints one JSON line: the phases
// (compile, instantiate, in ms) and, per repeat, the ns per iteration of the timed loop alone.
// usage: node node-runner.mjs MODULE.wasm fft|toggle ITERATIONS REPEATS
import { readFileSync } from "node:fs";

const [file, bench, iterArg, repArg] = process.argv.slice(2);
const iterations = Number(iterArg);
const repeats = Number(repArg);
const ms = (a, b) => Number(b - a) / 1e6;
const now = () => process.hrtime.bigint();

const bytes = readFileSync(file);
const t0 = now();
const module = await WebAssembly.compile(bytes);
const t1 = now();
const instance = await WebAssembly.instantiate(module, { env: { gpio_toggle() {}, uart_print() {}, led_toggle() {} } });
const t2 = now();
const e = instance.exports;
const ns = [];
let checksum = null;
if (bench === "fft") {
  e.fft_init();
  e.fft_bench(Math.max(1, iterations / 10)); // warm-up: tier-up to optimized code
  for (let r = 0; r < repeats; r++) {
    const a = now();
    e.fft_bench(iterations);
    ns.push(Number(now() - a) / iterations);
  }
  checksum = e.fft_checksum() >>> 0;
} else {
  e.toggle_n(Math.max(1, iterations / 10));
  for (let r = 0; r < repeats; r++) {
    const a = now();
    e.toggle_n(iterations);
    ns.push(Number(now() - a) / iterations);
  }
}
console.log(JSON.stringify({ compile_ms: ms(t0, t1), instantiate_ms: ms(t1, t2), ns, checksum }));
