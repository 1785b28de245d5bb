// Child of tiering.test.ts (run on dist/, so build first), with
// --allow-natives-syntax and --no-concurrent-recompilation so that a function
// is optimized on the call after V8 decides to. Calls tierForRead for a read
// of `bytes` uncompressed bytes, then calls a function `calls` times and
// prints whether V8 optimized it.
const [distDir, bytes, calls] = process.argv.slice(2);
const { tierForRead } = await import(`${distDir}/util/tiering.js`);
// V8's intrinsics, compiled at run time so this file stays plain JavaScript.
const optimizationStatus = new Function('f', 'return %GetOptimizationStatus(f)');
const neverOptimize = new Function('f', '%NeverOptimizeFunction(f)');
tierForRead([{ size: Number(bytes), compression: 'none' }]);

function work(a, b) {
  let x = a * 3 + b;
  x = (x ^ (x >>> 3)) + (a & 7) * (b | 1);
  x = (x ^ (x << 5)) - (a % 13) + (b % 11);
  x = (x ^ (x >>> 7)) + ((a + b) & 255) * 31;
  x = (x ^ (x << 9)) - ((a * b) % 97) + ((a - b) | 0);
  x = (x ^ (x >>> 11)) + (x & 1023) * (a & 15);
  return x | 0;
}
// The loop that calls it is never optimized, so `work` is not inlined into it.
function drive(count) {
  let sum = 0;
  for (let i = 0; i < count; i++) sum = (sum + work(i & 1023, sum & 1023)) | 0;
  return sum;
}
neverOptimize(drive);
const sum = drive(Number(calls));
// V8's OptimizationStatus: bit 4 is "optimized".
const optimized = (optimizationStatus(work) & (1 << 4)) !== 0;
console.log(JSON.stringify({ optimized, sum }));
