import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor, tensor, type DType } from '../src/index.js';

/** A tensor as stored in the PyTorch fixtures: flat data plus shape. */
export interface FixtureTensor {
  data: (number | null | string)[];
  shape: number[];
  dtype?: DType;
}

/** Reads test/fixtures/NAME.json (the tests run from build/test, two levels below the repo root). */
export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8')) as T;
}

// JSON has no NaN/Infinity: the generators write them as strings.
function decode(v: number | null | string): number {
  if (typeof v === 'number') return v;
  if (v === 'nan' || v === null) return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  throw new Error(`fixture: bad number ${String(v)}`);
}

export function fromFixture(f: FixtureTensor, options: { requiresGrad?: boolean; dtype?: DType } = {}): Tensor {
  const dtype = options.dtype ?? f.dtype ?? 'float64';
  const data = f.data.map(decode);
  return tensor(data, { shape: f.shape, dtype, requiresGrad: options.requiresGrad });
}

/** Asserts equal shapes and elementwise |a - e| <= atol + rtol * |e| (NaNs must match NaNs). */
export function assertClose(
  actual: Tensor,
  expected: FixtureTensor | Tensor | number[] | number,
  { rtol = 1e-5, atol = 1e-8, message = '' }: { rtol?: number; atol?: number; message?: string } = {},
): void {
  let shape: readonly number[] | undefined;
  let values: number[];
  if (expected instanceof Tensor) {
    shape = expected.shape;
    values = Array.from(expected.dataSync());
  } else if (typeof expected === 'number') {
    values = [expected];
  } else if (Array.isArray(expected)) {
    values = expected;
  } else {
    shape = expected.shape;
    values = expected.data.map(decode);
  }
  const prefix = message ? `${message}: ` : '';
  if (shape) assert.deepEqual([...actual.shape], [...shape], `${prefix}shape`);
  assert.equal(actual.numel, values.length, `${prefix}number of elements`);
  const actualValues = actual.dataSync();
  for (let i = 0; i < values.length; i++) {
    const a = actualValues[i];
    const e = values[i];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${prefix}element ${i}: expected NaN, got ${a}`);
    } else if (!Number.isFinite(e)) {
      assert.equal(a, e, `${prefix}element ${i}`);
    } else {
      assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${prefix}element ${i}: expected ${e}, got ${a} (diff ${Math.abs(a - e)})`);
    }
  }
}

/**
 * The real datasets (../shared/data from the project root, or $DESCENT_DATA), or null when absent:
 * tests that need them skip, saying why.
 */
export function sharedData(): string | null {
  const dir = process.env.DESCENT_DATA ?? fileURLToPath(new URL('../../../shared/data', import.meta.url));
  return existsSync(dir) ? dir : null;
}

const tempDirs: string[] = [];
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder (under `base`, default the OS's) removed when the test process exits. */
export function tempDir(prefix: string, base = tmpdir()): string {
  const dir = mkdtempSync(join(base, prefix));
  tempDirs.push(dir);
  return dir;
}
