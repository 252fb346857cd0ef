// A/B timing of training steps for kernel work: W5 (the npm-start CNN, batch 64, Adam) and W8 (the MLP VAE
// 784-400-16, batch 128, Adam) on two or more builds of descent loaded into ONE process, run interleaved
// (build A, build B, A, B, ...) so that the machine's load hits every build alike. One thread count per
// process (changing the count restarts Node's worker pool): run it once per count. Synthetic batches
// (uniform pixels, random labels): the speed of a step does not depend on them.
//
//   npx tsc -p tsconfig.test.json && node build/bench/ab-steps.js threads=2 /path/to/before/build build [W5 W8] [reps=5] [steps=20]
//
// Prints steps/s per (workload, build): median and range over the repetitions, and the process's CPU time per
// step (user + system, median; on 1 thread the measure least disturbed by other jobs on the machine, on 2 it
// includes the workers' spinning).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Dt = typeof import('../src/index.js');
type Recipes = typeof import('../src/cli/recipes.js');
type T = InstanceType<Dt['Tensor']>;

interface Variant {
  label: string;
  dt: Dt;
  step: Record<string, () => void>;
}

function w5(dt: Dt, recipes: Recipes): () => void {
  dt.manualSeed(0);
  const model = recipes.mnistCnn();
  const opt = new dt.optim.Adam(model.parameters(), { lr: 0.01 });
  const x = dt.rand([64, 1, 28, 28]);
  const y = dt.randint(0, 10, [64]);
  return () => {
    opt.zeroGrad();
    const loss = dt.nn.functional.crossEntropy(model(x) as T, y);
    loss.backward();
    opt.step();
    loss.item();
  };
}

function w8(dt: Dt): () => void {
  dt.manualSeed(0);
  const { nn } = dt;
  const fc1 = new nn.Linear(784, 400);
  const fcMu = new nn.Linear(400, 16);
  const fcLogvar = new nn.Linear(400, 16);
  const fc3 = new nn.Linear(16, 400);
  const fc4 = new nn.Linear(400, 784);
  const params = [fc1, fcMu, fcLogvar, fc3, fc4].flatMap((m) => [...m.parameters()]);
  const opt = new dt.optim.Adam(params, { lr: 1e-3 });
  const x = dt.rand([128, 784]);
  return () => {
    opt.zeroGrad();
    const h = dt.relu(fc1(x));
    const mu = fcMu(h);
    const logvar = fcLogvar(h);
    const z = dt.add(mu, dt.mul(dt.exp(dt.mul(logvar, 0.5)), dt.randn(mu.shape)));
    const reconstruction = dt.sigmoid(fc4(dt.relu(fc3(z))));
    const bce = nn.functional.binaryCrossEntropy(reconstruction, x, { reduction: 'sum' });
    const kl = dt.mul(dt.sum(dt.sub(dt.sub(dt.add(logvar, 1), dt.square(mu)), dt.exp(logvar))), -0.5);
    const loss = dt.div(dt.add(bce, kl), 128);
    loss.backward();
    opt.step();
    loss.item();
  };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const threads = Number(args.find((a) => a.startsWith('threads='))?.slice(8) ?? 1);
  const roots = args.filter((a) => (a.includes('/') || a === 'build') && !a.startsWith('threads='));
  const workloads = args.filter((a) => /^W\d$/.test(a));
  const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const reps = numbers[0] ?? 5;
  const steps = numbers[1] ?? 20;
  if (roots.length === 0) throw new Error('ab-steps: give at least one build folder (e.g. build)');
  const chosen = workloads.length ? workloads : ['W5', 'W8'];
  const variants: Variant[] = [];
  for (const root of roots) {
    const base = pathToFileURL(resolve(root)).href;
    const dt = (await import(`${base}/src/index.js`)) as Dt;
    const recipes = (await import(`${base}/src/cli/recipes.js`)) as Recipes;
    dt.setBackend('wasm');
    await dt.initThreads(threads);
    variants.push({ label: root, dt, step: { W5: w5(dt, recipes), W8: w8(dt) } });
  }
  const rates = new Map<string, number[]>();
  const cpuMs = new Map<string, number[]>();
  for (const w of chosen) for (const v of variants) for (let i = 0; i < 3; i++) v.step[w](); // warm-up
  for (let r = 0; r < reps; r++) {
    for (const w of chosen) {
      for (const v of variants) {
        const start = performance.now();
        const cpu = process.cpuUsage();
        for (let i = 0; i < steps; i++) v.step[w]();
        const rate = (steps * 1000) / (performance.now() - start);
        const used = process.cpuUsage(cpu);
        const key = `${w}\t${threads}\t${v.label}`;
        rates.set(key, [...(rates.get(key) ?? []), rate]);
        cpuMs.set(key, [...(cpuMs.get(key) ?? []), (used.user + used.system) / 1000 / steps]);
      }
    }
  }
  console.log('workload\tthreads\tbuild\tsteps/s median\tmin\tmax\tCPU ms/step');
  for (const [key, v] of rates) {
    console.log(`${key}\t${median(v).toFixed(2)}\t${Math.min(...v).toFixed(2)}\t${Math.max(...v).toFixed(2)}\t${median(cpuMs.get(key)!).toFixed(1)}`);
  }
  process.exit(0);
}

await main();
