// Where splitting elementwise work between threads pays: wall time of binary (same shape and broadcast),
// unary (exp, gelu) and where kernels on 1 and on 2 threads (the split forced at every size), per size,
// interleaved, medians. Back to back (workers still spinning from the previous call) and with a gap of
// JavaScript work between calls (workers asleep, as between the kernels of a training step).
//
//   npx tsc -p tsconfig.test.json && node build/bench/elementwise-threads.js [reps=9] [sizes=4096,16384,...]
import * as dt from '../src/index.js';
import { setMinElementsPerThread } from '../src/backend/wasm/strided.js';

type Run = () => void;
const b = dt.backend('wasm');
const reps = Number(process.argv[2] ?? 9);
const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];

function kernels(n: number): [string, Run][] {
  const x = dt.randn([n]);
  const y = dt.randn([n]);
  const row = dt.randn([100]);
  const cond = dt.gt(x, 0);
  const out = dt.zeros([n]);
  const rows = [n / 100, 100];
  return [
    ['add', () => b.binary('add', x.storage, [n], y.storage, [n], out.storage, [n])],
    ['sub row', () => b.binary('sub', x.storage, rows, row.storage, [100], out.storage, rows)],
    ['exp', () => b.unary('exp', x.storage, out.storage)],
    ['gelu', () => b.unary('gelu', x.storage, out.storage)],
    ['where', () => b.where(cond.storage, [n], x.storage, [n], y.storage, [n], out.storage, [n])],
  ];
}

function busy(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end);
}

function time(run: Run, gapUs: number): number {
  const calls = 20;
  let total = 0;
  for (let i = 0; i < calls; i++) {
    if (gapUs) busy(gapUs);
    const start = performance.now();
    run();
    total += performance.now() - start;
  }
  return (total / calls) * 1000;
}

await dt.initThreads(2);
setMinElementsPerThread(1);
console.log('elements\tkernel\tgap us\t1 thread us\t2 threads us\tratio');
for (const n of (process.argv[3] ?? "4096,16384,65536,262144,1048576").split(",").map(Number)) {
  for (const [name, run] of kernels(n)) {
    for (const gap of [0, 500]) {
      const one: number[] = [];
      const two: number[] = [];
      for (let r = 0; r < reps; r++) {
        dt.setNumThreads(1);
        one.push(time(run, gap));
        dt.setNumThreads(2);
        two.push(time(run, gap));
      }
      const [m1, m2] = [median(one), median(two)];
      console.log(`${n}\t${name}\t${gap}\t${m1.toFixed(1)}\t${m2.toFixed(1)}\t${(m1 / m2).toFixed(2)}`);
    }
  }
}
setMinElementsPerThread(null);
process.exit(0);
