// Small, deterministic training setups shared by the trainer tests.
import { Generator, manualSeed, randn, tensor, nn, optim, type Tensor } from '../../src/index.js';
import { DataLoader, TensorDataset } from '../../src/data/index.js';
import { Trainer, type FitOptions, type TrainerCheckpoint } from '../../src/train/index.js';
import { parseSafetensors, serializeSafetensors } from '../../src/io/index.js';

/** 3 classes from 2 noisy features; 60 samples. */
export function classificationData(seed = 0): TensorDataset {
  manualSeed(seed);
  const x = randn([60, 4]);
  const labels: number[] = [];
  for (let i = 0; i < 60; i++) labels.push(x.data[i * 4] + 0.5 * x.data[i * 4 + 1] > 0.3 ? 2 : x.data[i * 4] > -0.5 ? 1 : 0);
  return new TensorDataset(x, tensor(labels, { dtype: 'int32' }));
}

/** An MLP with BatchNorm and Dropout, so that buffers and the global random stream matter for resume. */
export function mlp(seed = 1): nn.Module {
  manualSeed(seed);
  return new nn.Sequential(new nn.Linear(4, 16), new nn.BatchNorm1d(16), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(16, 3));
}

export function trainerFor(model: nn.Module, extra: Partial<FitOptions<Tensor[]>> = {}, data = classificationData()): Trainer<Tensor[]> {
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, 1, 0.5);
  return new Trainer<Tensor[]>(model, {
    data: new DataLoader(data, { batchSize: 8, shuffle: true, generator: new Generator(7) }),
    valData: new DataLoader(data, { batchSize: 30 }),
    loss: nn.functional.crossEntropy,
    optimizer,
    scheduler,
    metrics: ['accuracy'],
    ...extra,
  });
}

/** A checkpoint as it comes back from disk: JSON text and safetensors bytes. */
export function throughDisk(ckpt: TrainerCheckpoint): TrainerCheckpoint {
  return {
    model: parseSafetensors(serializeSafetensors(ckpt.model)).tensors,
    tensors: parseSafetensors(serializeSafetensors(ckpt.tensors)).tensors,
    state: JSON.parse(JSON.stringify(ckpt.state)),
  };
}

export function weightsOf(model: nn.Module): Record<string, number[]> {
  return Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, Array.from(t.dataSync())]));
}
