// The ops on webgpu's sorting, scan, sampling and selection kernels against the same ops on wasm: sort,
// argsort, topk, cumsum and cumprod (forward and backward, zeros included), multinomial (the same samples
// for the same seed), and the async forms of the ops whose result's shape depends on the values
// (nonzeroAsync, maskedSelectAsync, uniqueAsync), whose sync forms throw on webgpu naming them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as dt from '../../../src/index.js';
import type { Tensor } from '../../../src/index.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();

/** `run` on copies of `inputs` on wasm and on webgpu (float inputs require grad); every result and input gradient read back. */
async function onBoth(inputs: () => Tensor[], run: (xs: Tensor[]) => Tensor[] | Promise<Tensor[]>): Promise<[number[][], number[][]]> {
  const results = [];
  for (const device of ['wasm', 'webgpu']) {
    dt.manualSeed(3);
    const xs = inputs().map((x) => (x.dtype === 'float32' ? x.to(device).detach().requiresGrad_() : x.to(device)));
    const outs = await run(xs);
    const floats = outs.filter((o) => o.requiresGrad);
    if (floats.length > 0) floats.map((o, k) => o.mul(k + 1).square().sum()).reduce((a, b) => a.add(b)).backward();
    const grads = xs.map((x) => x.grad).filter((g): g is Tensor => g !== null);
    results.push(await Promise.all([...outs, ...grads].map(async (t) => Array.from(await t.data()))));
  }
  return results as [number[][], number[][]];
}

function close(gpu: number[][], cpu: number[][], what: string, rtol = 1e-5): void {
  assert.equal(gpu.length, cpu.length, `${what}: outputs and gradients`);
  cpu.forEach((expected, k) => {
    assert.equal(gpu[k].length, expected.length, `${what}: result ${k}'s length`);
    expected.forEach((e, i) => {
      const g = gpu[k][i];
      const ok = Number.isNaN(e) ? Number.isNaN(g) : Math.abs(g - e) <= 1e-5 + rtol * Math.abs(e);
      assert.ok(ok, `${what}: result ${k} [${i}]: webgpu ${g}, wasm ${e}`);
    });
  });
}

const ties = () => dt.randint(-3, 4, [4, 9, 3], { dtype: 'float32' });

describe('sorting, scans, sampling and selection ops on webgpu against wasm', { skip }, () => {
  test('sort, argsort and topk along each axis, descending, with ties and NaN; their values\' gradients', async () => {
    const withNan = () => [dt.where(dt.rand([4, 9, 3]).lt(0.1), NaN, ties())];
    for (const dim of [0, 1, -1]) {
      for (const descending of [false, true]) {
        close(...await onBoth(withNan, ([x]) => { const { values, indices } = dt.sort(x, dim, descending); return [values, indices]; }), `sort dim ${dim} descending ${descending}`);
        close(...await onBoth(withNan, ([x]) => { const { values, indices } = dt.topk(x, 3, dim, descending); return [values, indices]; }), `topk dim ${dim} largest ${descending}`);
      }
    }
    close(...await onBoth(() => [dt.randn([2, 1500])], ([x]) => [dt.argsort(x, 1, true)]), 'argsort of rows longer than a block');
    close(...await onBoth(() => [dt.randint(-5, 5, [3, 40], { dtype: 'int32' })], ([x]) => [dt.sort(x, 1).values, dt.argsort(x, 0)]), 'sort of int32');
  });

  test('cumsum and cumprod along each axis, forward and backward (zeros in cumprod\'s input), int32 and bool', async () => {
    for (const dim of [0, 1, 2]) {
      close(...await onBoth(() => [dt.randn([3, 40, 5])], ([x]) => [dt.cumsum(x, dim)]), `cumsum dim ${dim}`, 1e-4);
      close(...await onBoth(() => [dt.rand([3, 40, 5]).add(0.5)], ([x]) => [dt.cumprod(x, dim)]), `cumprod dim ${dim}`, 1e-4);
      const withZeros = () => [dt.where(dt.rand([3, 6, 5]).lt(0.2), 0, dt.randn([3, 6, 5]))];
      close(...await onBoth(withZeros, ([x]) => [dt.cumprod(x, dim)]), `cumprod with zeros dim ${dim}`, 1e-4);
    }
    close(...await onBoth(() => [dt.randint(-9, 9, [5, 70], { dtype: 'int32' })], ([x]) => [dt.cumsum(x, 1), dt.cumprod(x.remainder(3), 0)]), 'int32 cumsum and cumprod');
    close(...await onBoth(() => [dt.rand([4, 50]).lt(0.5)], ([x]) => [dt.cumsum(x, 1)]), 'bool cumsum');
  });

  test('multinomial draws the same samples as wasm for the same seed, with and without replacement', async () => {
    const probs = () => [dt.rand([3, 200]).pow(4)];
    close(...await onBoth(probs, ([p]) => [dt.multinomial(p.detach(), 500, true)]), 'with replacement', 0);
    close(...await onBoth(probs, ([p]) => [dt.multinomial(p.detach(), 7)]), 'without replacement', 0);
    close(...await onBoth(() => [dt.rand([30])], ([p]) => [dt.multinomial(p.detach(), 1)]), 'one sample of a vector', 0);
  });

  test('nonzeroAsync, maskedSelectAsync (with its gradient) and uniqueAsync; the sync forms name them', async () => {
    const mask = () => dt.rand([3, 4, 5]).lt(0.4);
    close(...await onBoth(() => [mask()], async ([m]) => [await dt.nonzeroAsync(m)]), 'nonzeroAsync');
    close(...await onBoth(() => [dt.randn([3, 4, 5]), mask()], async ([x, m]) => [await dt.maskedSelectAsync(x, m)]), 'maskedSelectAsync');
    close(...await onBoth(() => [ties()], async ([x]) => {
      const { values, inverse, counts } = await dt.uniqueAsync(x.detach(), { returnInverse: true, returnCounts: true });
      return [values, inverse, counts, await dt.uniqueAsync(x.detach())];
    }), 'uniqueAsync');
    const x = dt.randn([4]).to('webgpu');
    assert.throws(() => dt.nonzero(x), /nonzero: .* on webgpu, which reads only asynchronously: use `await dt.nonzeroAsync\(x\)`/);
    assert.throws(() => dt.argwhere(x), /nonzeroAsync/);
    assert.throws(() => dt.maskedSelect(x, x.gt(0)), /maskedSelectAsync/);
    assert.throws(() => dt.unique(x), /uniqueAsync/);
  });
});
