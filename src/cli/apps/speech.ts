// Speech recognition: the Free Spoken Digit Dataset (3,000 recordings of the digits 0-9 at 8 kHz), each cut or
// padded to one second, as a log-mel spectrogram (40 mels, 10 ms hops), classified by a small CNN.
import { type Tensor, audio, cat, nn, noGrad, pad, stack, tensor } from '../../index.js';
import { TensorDataset } from '../../data/index.js';
import { datasets } from '../../node/index.js';
import { type RecipeData, defineRecipe } from '../recipe.js';
import { datasetOptions } from './common.js';

export const SAMPLE_RATE = 8000;
/** One second of samples: longer recordings are cut, shorter ones padded with silence. */
export const CLIP_LENGTH = 8000;

/**
 * Log-mel features [N, 1, 40, 101] of waveforms [N, 1, CLIP_LENGTH]: a 256-point STFT every 80 samples, 40 mel
 * bands, in decibels at most 80 dB below each clip's peak (computed in chunks to bound memory).
 */
export function logMelFeatures(waveforms: Tensor): Tensor {
  return noGrad(() => {
    const chunks: Tensor[] = [];
    for (let start = 0; start < waveforms.shape[0]; start += 250) {
      const chunk = waveforms.narrow(0, start, Math.min(250, waveforms.shape[0] - start));
      const mel = audio.melSpectrogram(chunk, SAMPLE_RATE, { nFft: 256, hopLength: 80, nMels: 40 });
      chunks.push(audio.amplitudeToDb(mel, { topDb: 80 }));
    }
    return cat(chunks, 0);
  });
}

/** A recording [1, frames] cut or zero-padded to CLIP_LENGTH samples: [1, CLIP_LENGTH]. */
export function fixLength(waveform: Tensor): Tensor {
  const frames = waveform.shape[1];
  return frames >= CLIP_LENGTH ? waveform.narrow(1, 0, CLIP_LENGTH) : pad(waveform, [0, CLIP_LENGTH - frames]);
}

function convBlock(inC: number, outC: number): nn.Module[] {
  return [new nn.Conv2d(inC, outC, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(outC), new nn.ReLU()];
}

/**
 * Three conv-BN-ReLU blocks (16, 32, 32 channels), each followed by max-pooling, then dropout and a linear layer
 * on the flattened 32 x 5 x 12 map (which keeps where in time a pattern occurs).
 */
export function speechCnn(): nn.Module {
  return new nn.Sequential(
    ...convBlock(1, 16), new nn.MaxPool2d(2), // 20 x 50
    ...convBlock(16, 32), new nn.MaxPool2d(2), // 10 x 25
    ...convBlock(32, 32), new nn.MaxPool2d(2), // 5 x 12
    new nn.Flatten(),
    new nn.Dropout(0.3),
    new nn.Linear(32 * 5 * 12, 10),
  );
}

export const speechDigitsRecipe = defineRecipe<RecipeData>({
  name: 'speech-digits',
  description: 'log-mel spectrogram (40 mels) + CNN (3 conv-BN blocks) on the Free Spoken Digit Dataset, the standard split (takes 0-4 of every speaker and digit held out)',
  bar: 'test accuracy >= 95%',
  async data(source) {
    const recordings = await datasets.fsdd(datasetOptions(source));
    const part = (split: 'train' | 'test') => {
      const chosen = recordings.filter((r) => r.split === split);
      return { features: logMelFeatures(stack(chosen.map((r) => fixLength(r.waveform!)))), labels: tensor(chosen.map((r) => r.digit), { dtype: 'int32' }) };
    };
    const train = part('train');
    const test = part('test');
    // standardize with the training features' mean and standard deviation
    const mean = train.features.mean().item();
    const std = train.features.std().item();
    const standardize = (x: Tensor) => x.sub(mean).div(std);
    return { train: new TensorDataset(standardize(train.features), train.labels), test: new TensorDataset(standardize(test.features), test.labels) };
  },
  model: speechCnn,
  loss: nn.functional.crossEntropy,
  metrics: ['accuracy'],
  defaults: { optimizer: 'adam', lr: 3e-3, batchSize: 32, epochs: 8, scheduler: 'onecycle' },
});
