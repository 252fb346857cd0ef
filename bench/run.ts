// `npm run bench`: every workload, descent and its peers side by side in one run; prints a table, writes JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runRosenbrock } from './rosenbrock.js';
import { runPython, torchAvailable } from './peers.js';
import { OPTIM_BENCH_RULES, memoryFloorMs, runOptimStep } from './optim-step.js';

interface Row {
  workload: string;
  library: string;
  metric: string;
  value: number;
  ratio?: number;
}

const benchDir = fileURLToPath(new URL('../../bench/', import.meta.url));
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.some((o) => name.toLowerCase().startsWith(o.toLowerCase()));
const rows: Row[] = [];
const hasTorch = torchAvailable();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

if (want('W4')) {
  const steps = 10000;
  runRosenbrock(2000); // warm-up: let the JIT settle
  const ours = median([0, 1, 2].map(() => runRosenbrock(steps).stepsPerSecond));
  rows.push({ workload: 'W4 Rosenbrock SGD (10k steps)', library: 'descent', metric: 'steps/s', value: ours });
  if (hasTorch) {
    const torch = median([0, 1, 2].map(() => runPython<{ stepsPerSecond: number }>(`${benchDir}torch_rosenbrock.py`, [String(steps)]).stepsPerSecond));
    rows.push({ workload: 'W4 Rosenbrock SGD (10k steps)', library: 'pytorch', metric: 'steps/s', value: torch });
    rows[rows.length - 2].ratio = ours / torch;
  }
}

if (want('optim')) {
  // Optimizer step on ~1M float32 parameters (memory-bound): descent's fused update vs torch.optim, 1 thread each.
  for (const rule of OPTIM_BENCH_RULES) {
    const workload = `optim step, 1M params: ${rule === 'SGD' ? 'SGD momentum' : rule}`;
    const ours = runOptimStep(rule);
    rows.push({ workload, library: 'descent', metric: 'cpu ms/step', value: ours.msPerStep });
    if (hasTorch) {
      const torch = runPython<{ msPerStep: number }>(`${benchDir}torch_optim_step.py`, [rule, '1']).msPerStep;
      rows.push({ workload, library: 'pytorch', metric: 'cpu ms/step', value: torch });
      rows[rows.length - 2].ratio = torch / ours.msPerStep; // > 1: descent is faster
    }
    rows.push({ workload, library: 'memcpy of the same bytes (floor)', metric: 'cpu ms/step', value: memoryFloorMs(rule) });
  }
}

const table = rows.map((r) => ({
  workload: r.workload,
  library: r.library,
  [r.metric]: Number(r.value.toPrecision(4)),
  'vs pytorch': r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
}));
console.table(table);
if (!hasTorch) console.log('PyTorch not found (/usr/bin/python3 -c "import torch" failed): peers skipped.');
mkdirSync(`${benchDir}results`, { recursive: true });
const file = `${benchDir}results/latest.json`;
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2));
console.log(`wrote ${file}`);
