import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, randn, tensor, zeros } from '../../src/index.js';

// Each layer fed the wrong input names itself, what it expected and what came.
const cases: [string, () => unknown, RegExp][] = [
  ['Conv2d channels', () => new nn.Conv2d(3, 16, 3)(zeros([8, 1, 28, 28])), /^Conv2d\(3->16\): expected input \[N,3,H,W\], got \[8,1,28,28\]$/],
  ['Conv2d rank', () => new nn.Conv2d(3, 16, 3)(zeros([3, 28])), /^Conv2d\(3->16\): expected input \[N,3,H,W\], got \[3,28\]$/],
  ['Conv2d too small', () => new nn.Conv2d(1, 1, 5)(zeros([1, 1, 3, 3])), /^Conv2d\(1->1\): input \[1,1,3,3\] .*smaller than the dilated kernel 5x5/],
  ['Conv1d', () => new nn.Conv1d(4, 8, 3)(zeros([2, 3, 10])), /^Conv1d\(4->8\): expected input \[N,4,L\], got \[2,3,10\]$/],
  ['ConvTranspose2d', () => new nn.ConvTranspose2d(8, 3, 2)(zeros([1, 3, 4, 4])), /^ConvTranspose2d\(8->3\): expected input \[N,8,H,W\], got \[1,3,4,4\]$/],
  ['Linear', () => new nn.Linear(784, 10)(zeros([32, 28, 28])), /^Linear\(784->10\): expected input \[\*,784\], got \[32,28,28\]$/],
  ['Bilinear', () => new nn.Bilinear(3, 4, 2)(zeros([5, 3]), zeros([4, 4])), /^Bilinear\(3,4->2\): expected input2 \[5,4\]/],
  ['BatchNorm1d', () => new nn.BatchNorm1d(16)(zeros([8, 10])), /^BatchNorm1d\(16\): expected input \[N,16\] or \[N,16,L\], got \[8,10\]$/],
  ['BatchNorm2d', () => new nn.BatchNorm2d(3)(zeros([2, 3, 8])), /^BatchNorm2d\(3\): expected input \[N,3,H,W\], got \[2,3,8\]$/],
  ['LayerNorm', () => new nn.LayerNorm(64)(zeros([2, 10, 32])), /^LayerNorm\(\[64\]\): expected input \[\*,64\], got \[2,10,32\]$/],
  ['GroupNorm', () => new nn.GroupNorm(2, 6)(zeros([4, 4, 5])), /^GroupNorm\(2,6\): expected input \[N,6,\*\], got \[4,4,5\]$/],
  ['MaxPool2d', () => new nn.MaxPool2d(2)(zeros([3, 8, 8])), /^MaxPool2d\(2\): expected input \[N,C,H,W\], got \[3,8,8\]$/],
  ['MaxPool2d padding', () => new nn.MaxPool2d(2, { padding: 2 })(zeros([1, 1, 8, 8])), /^MaxPool2d\(2\): padding should be at most half of the kernel size/],
  ['MaxPool1d', () => new nn.MaxPool1d(2)(zeros([3, 8, 8, 1])), /^MaxPool1d\(2\): expected input \[N,C,L\], got \[3,8,8,1\]$/],
  ['AvgPool2d', () => new nn.AvgPool2d(3)(zeros([1, 1, 2, 2])), /^AvgPool2d\(3\): output size \[0,0\] is too small for input \[1,1,2,2\]/],
  ['AdaptiveAvgPool2d', () => new nn.AdaptiveAvgPool2d(2)(zeros([4, 4])), /^AdaptiveAvgPool2d\(2\): expected input \[N,C,H,W\], got \[4,4\]$/],
  ['Embedding range', () => new nn.Embedding(10, 3)(tensor([1, 10], { dtype: 'int32' })), /^Embedding\(10, 3\): index 10 is out of range for an embedding with 10 rows$/],
  ['Embedding dtype', () => new nn.Embedding(10, 3)(tensor([1, 2])), /^Embedding\(10, 3\): expected int32 indices, got dtype float32$/],
  ['Dropout p', () => new nn.Dropout(1.5), /^Dropout: dropout probability has to be between 0 and 1, but got 1.5$/],
  ['Conv2d groups', () => new nn.Conv2d(3, 6, 3, { groups: 2 }), /^Conv2d\(3->6\): inChannels \(3\) must be divisible by groups \(2\)$/],
  ['Conv2d same stride', () => new nn.Conv2d(3, 6, 3, { padding: 'same', stride: 2 }), /padding='same' is not supported for strided convolutions/],
  ['ConvTranspose2d outputPadding', () => new nn.ConvTranspose2d(2, 2, 3, { stride: 2, outputPadding: 2 })(zeros([1, 2, 3, 3])), /outputPadding \[2,2\] must be smaller than either stride \[2,2\] or dilation \[1,1\]/],
  ['Softmax without dim', () => new nn.Softmax(undefined as unknown as number), /^Softmax: dim must be an integer/],
  ['Linear size', () => new nn.Linear(-1, 2), /^Linear: inFeatures must be a positive integer, got -1$/],
  ['Conv2d size', () => new nn.Conv2d(3, 2.5, 3), /^Conv2d\(3->2.5\): outChannels must be a positive integer, got 2.5$/],
  ['BatchNorm2d size', () => new nn.BatchNorm2d(0), /^BatchNorm2d: numFeatures must be a positive integer, got 0$/],
  ['Embedding size', () => new nn.Embedding(10, NaN), /^Embedding: embeddingDim must be a positive integer/],
  ['GroupNorm divisibility', () => new nn.GroupNorm(4, 6), /numChannels \(6\) must be divisible by numGroups \(4\)/],
  ['groupNorm weight', () => nn.functional.groupNorm(zeros([2, 4, 3]), 2, zeros([3])), /^groupNorm: weight must have shape \[4\], got \[3\]$/],
  ['binaryCrossEntropy range', () => nn.functional.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1])), /^binaryCrossEntropy: all elements of input should be between 0 and 1, got 1.5 at flat index 1$/],
];

for (const [name, fn, message] of cases) {
  test(`bad input: ${name}`, () => assert.throws(fn, { message }));
}

test('no layer returns NaN for ordinary input; a constant batch normalizes to zeros, not NaN', () => {
  const bn = new nn.BatchNorm2d(2);
  const out = bn(zeros([2, 2, 3, 3]));
  assert.ok(out.dataSync().every((v) => v === 0));
  const ln = new nn.LayerNorm(4);
  assert.ok(ln(zeros([3, 4])).dataSync().every((v) => v === 0));
  const conv = new nn.Conv2d(2, 2, 3, { padding: 1 });
  assert.ok(conv(randn([1, 2, 4, 4])).dataSync().every(Number.isFinite));
});
