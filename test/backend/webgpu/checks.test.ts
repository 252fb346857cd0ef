// Value checks of ops on webgpu (indices in range, probabilities valid): a GPU cannot answer them when the op
// runs, so they are taken then and checked at the next read, which throws the op's own message (as CUDA
// reports device-side assertions); valid values pass, and a failed check is reported once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Tensor, bernoulli, indexSelect, multinomial, nn, tensor, webgpuSynchronize } from '../../../src/index.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();
const gpu = (values: number[] | number[][], dtype: 'float32' | 'int32' = 'float32'): Tensor => tensor(values, { dtype }).to('webgpu');
const LATER = /\[checked on webgpu at this read, after the op ran\]/;

async function rejectsAtRead(out: Tensor, message: RegExp): Promise<void> {
  await assert.rejects(out.data(), (e: Error) => message.test(e.message) && LATER.test(e.message));
  assert.equal((await out.data()).length, out.numel, 'the next read succeeds: a failed check is reported once');
}

describe('value checks on webgpu, at the next read', { skip }, () => {
  test('embedding, indexSelect and indexAdd_ indices out of range', async () => {
    const weight = gpu([[1, 2], [3, 4], [5, 6]]);
    assert.deepEqual(Array.from(await nn.functional.embedding(gpu([0, 2, 1], 'int32'), weight).data()), [1, 2, 5, 6, 3, 4]);
    await rejectsAtRead(nn.functional.embedding(gpu([0, 3], 'int32'), weight), /embedding: index 3 is out of range for an embedding with 3 rows/);
    await rejectsAtRead(indexSelect(weight, 0, gpu([-1, 0], 'int32')), /indexSelect: index -1 is out of bounds for dimension 0 with size 3/);
    const x = gpu([0, 0, 0]);
    x.indexAdd_(0, gpu([1, 5], 'int32'), gpu([1, 1]));
    await assert.rejects(webgpuSynchronize(), /indexAdd_: index 5 is out of bounds for dimension 0 with size 3/);
  });

  test('cross-entropy targets out of range (ignored targets aside)', async () => {
    const logits = gpu([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]]);
    const fine = nn.functional.crossEntropy(logits, gpu([2, -100], 'int32'));
    assert.ok(Number.isFinite((await fine.data())[0]));
    await rejectsAtRead(nn.functional.crossEntropy(logits, gpu([3, -100], 'int32')), /crossEntropy: target label 3 is out of range for 3 classes/);
  });

  test('binary cross-entropy of an input outside [0, 1] names the first such element', async () => {
    const target = gpu([0, 1, 1, 0]);
    assert.ok(Number.isFinite((await nn.functional.binaryCrossEntropy(gpu([0.2, 0.7, 1, 0]), target).data())[0]));
    await rejectsAtRead(nn.functional.binaryCrossEntropy(gpu([0.2, 0.7, 1.5, -1]), target), /binaryCrossEntropy: all elements of input should be between 0 and 1, got 1.5 at flat index 2/);
  });

  test('multinomial and bernoulli refuse invalid probabilities', async () => {
    assert.equal((await multinomial(gpu([0, 1, 0]), 1).data())[0], 1);
    await rejectsAtRead(multinomial(gpu([0.5, -0.1, 0.6]), 1), /multinomial: probabilities contain inf, nan or an element < 0/);
    await rejectsAtRead(multinomial(gpu([[0.5, 0.5], [0, 0]]), 1, true), /multinomial: invalid distribution: a row of probabilities sums to 0/);
    await rejectsAtRead(multinomial(gpu([0.5, 0, 0]), 2), /multinomial: cannot draw 2 samples without replacement/);
    await rejectsAtRead(bernoulli(gpu([0.5, 2])), /bernoulli: the probabilities must be in \[0, 1\]/);
    const draws = await bernoulli(gpu([0, 1, 1, 0])).data();
    assert.deepEqual(Array.from(draws), [0, 1, 1, 0]);
    const flips = Array.from(await bernoulli(gpu([0, 0, 0, 0, 0, 0, 0, 0]), 0.5).data()); // float64 coin flips, drawn on the CPU
    assert.ok(flips.every((f) => f === 0 || f === 1) && flips.length === 8, `${flips}`);
  });
});
