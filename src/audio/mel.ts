// Mel filterbanks and (log-)mel spectrograms as torchaudio computes them (torchaudio.functional.melscale_fbanks,
// transforms.Spectrogram, MelSpectrogram, AmplitudeToDB), with torchaudio's defaults.
import { Tensor } from '../tensor/tensor.js';
import { type DType, isFloating } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { checkedOptions, optionKeys } from '../tensor/options.js';
import { linspace, tensor } from '../tensor/creation.js';
import { clamp, div, log10, maximum, mul, sub } from '../ops/elementwise.js';
import { amax } from '../ops/reduce.js';
import { matmul } from '../ops/linalg.js';
import { reshape, transpose } from '../ops/shape.js';
import { pad as constantPad } from '../ops/shape.js';
import { Module } from '../nn/module.js';
import { type StftOptions, hannWindow, stft, stftMagnitude } from './stft.js';

export type MelScale = 'htk' | 'slaney';

function hzToMel(freq: number, scale: MelScale): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + freq / 700);
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return freq >= minLogHz ? minLogMel + Math.log(freq / minLogHz) / logStep : freq / fSp;
}

// in float32 as torchaudio (its tensors use the default dtype)
function melToHz(mels: Float32Array, scale: MelScale): Float32Array {
  const f = Math.fround;
  if (scale === 'htk') return mels.map((m) => f(700 * f(f(10 ** f(m / 2595)) - 1)));
  const fSp = 200 / 3;
  const minLogMel = 1000 / fSp;
  const logStep = Math.log(6.4) / 27;
  return mels.map((m) => (m >= minLogMel ? f(1000 * f(Math.exp(f(logStep * f(m - minLogMel))))) : f(fSp * m)));
}

export interface MelFilterbankOptions {
  /** Lowest frequency (Hz). Default 0. */
  fMin?: number;
  /** Highest frequency (Hz). Default sampleRate / 2. */
  fMax?: number;
  /** null (peak 1, torchaudio's default) or 'slaney' (each filter's area constant). */
  norm?: 'slaney' | null;
  /** 'htk' (default) or 'slaney'. */
  melScale?: MelScale;
}

/**
 * The triangular mel filterbank [nFreqs, nMels] (nFreqs = nFft / 2 + 1), as torchaudio.functional.melscale_fbanks:
 * filter m rises from mel point m to m + 1 and falls to m + 2, the points evenly spaced in mels between fMin and fMax.
 * @example const fb = melFilterbank(129, 40, 8000); // for nFft 256 at 8 kHz
 */
export function melFilterbank(nFreqs: number, nMels: number, sampleRate: number, options: MelFilterbankOptions = {}): Tensor {
  const op = 'melFilterbank';
  const { fMin = 0, fMax = Math.floor(sampleRate / 2), norm = null, melScale = 'htk' } = checkedOptions(op, options, ['fMin', 'fMax', 'norm', 'melScale']);
  for (const [name, v] of [['nFreqs', nFreqs], ['nMels', nMels], ['sampleRate', sampleRate]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${op}: ${name} must be a positive integer, got ${v}`);
  }
  if (!(fMin >= 0 && fMax > fMin)) throw new Error(`${op}: expected 0 <= fMin < fMax, got fMin ${fMin}, fMax ${fMax}`);
  if (melScale !== 'htk' && melScale !== 'slaney') throw new Error(`${op}: melScale must be 'htk' or 'slaney', got '${String(melScale)}'`);
  if (norm !== null && norm !== 'slaney') throw new Error(`${op}: norm must be null or 'slaney', got '${String(norm)}'`);
  const allFreqs = linspace(0, Math.floor(sampleRate / 2), nFreqs).dataSync() as Float32Array;
  const melPoints = linspace(hzToMel(fMin, melScale), hzToMel(fMax, melScale), nMels + 2).dataSync() as Float32Array;
  const fPts = melToHz(melPoints, melScale);
  const f = Math.fround;
  const fb = new Float32Array(nFreqs * nMels);
  for (let i = 0; i < nFreqs; i++) {
    for (let m = 0; m < nMels; m++) {
      const down = f(f(-1 * f(fPts[m] - allFreqs[i])) / f(fPts[m + 1] - fPts[m]));
      const up = f(f(fPts[m + 2] - allFreqs[i]) / f(fPts[m + 2] - fPts[m + 1]));
      let v = Math.max(0, Math.min(down, up));
      if (norm === 'slaney') v = f(v * f(2 / f(fPts[m + 2] - fPts[m])));
      fb[i * nMels + m] = v;
    }
  }
  return tensor(fb, { shape: [nFreqs, nMels] });
}

export interface SpectrogramOptions extends Omit<StftOptions, 'window' | 'normalized' | 'onesided'> {
  /** Zeros added on both sides of the signal first. Default 0. */
  pad?: number;
  /** 2 (power, default), 1 (magnitude) or another exponent. */
  power?: number;
  /** The window function of winLength. Default hannWindow. */
  windowFn?: (n: number, options: { dtype: DType }) => Tensor;
  /** Divide by the window's L2 norm. Default false. */
  normalized?: boolean;
}

const SPECTROGRAM_OPTIONS = optionKeys<SpectrogramOptions>({ hopLength: true, winLength: true, center: true, padMode: true, pad: true, power: true, windowFn: true, normalized: true });

/**
 * |STFT|^power of waveforms [..., time] with a Hann window, as torchaudio.transforms.Spectrogram: [..., nFft / 2 + 1, frames].
 * Defaults as torchaudio: winLength nFft, hopLength winLength / 2 (not stft's nFft / 4), centered, reflect padding.
 * @example const power = spectrogram(waveform, 256); // [channels, 129, frames]
 */
export function spectrogram(waveform: Tensor, nFft = 400, options: SpectrogramOptions = {}): Tensor {
  const op = 'spectrogram';
  const { winLength = nFft, hopLength = Math.floor(winLength / 2), center = true, padMode = 'reflect', pad = 0, power = 2, windowFn = hannWindow, normalized = false } =
    checkedOptions(op, options, SPECTROGRAM_OPTIONS);
  if (!(waveform instanceof Tensor) || waveform.ndim < 1 || !isFloating(waveform.dtype)) {
    throw new Error(`${op}: expected a floating point waveform [..., time], got ${waveform instanceof Tensor ? `${waveform.dtype} ${formatShape(waveform.shape)}` : typeof waveform}`);
  }
  const padded = pad > 0 ? constantPad(waveform, [pad, pad]) : waveform;
  const lead = padded.shape.slice(0, -1);
  const flat = reshape(padded, [-1, padded.shape[padded.ndim - 1]]);
  const window = windowFn(winLength, { dtype: waveform.dtype });
  let spec = stft(flat, nFft, { hopLength, winLength, window, center, padMode, onesided: true });
  if (normalized) spec = div(spec, Math.sqrt(window.pow(2).sum().item()));
  const out = stftMagnitude(spec, power);
  return reshape(out, [...lead, out.shape[1], out.shape[2]]);
}

export interface MelSpectrogramOptions extends SpectrogramOptions, MelFilterbankOptions {
  /** Default 128. */
  nMels?: number;
}

/**
 * Mel-scaled power spectrogram [..., nMels, frames] of waveforms [..., time], as torchaudio.transforms.MelSpectrogram
 * (the spectrogram's frequency axis times melFilterbank). Defaults as torchaudio's: nFft 400, nMels 128, Hann window.
 * @example const logMel = amplitudeToDb(melSpectrogram(waveform, 8000, { nFft: 256, hopLength: 80, nMels: 40 }));
 */
export function melSpectrogram(waveform: Tensor, sampleRate: number, options: MelSpectrogramOptions & { nFft?: number } = {}): Tensor {
  const { nFft = 400, nMels = 128, fMin, fMax, norm, melScale, ...spectrogramOptions } = checkedOptions('melSpectrogram', options, MEL_OPTIONS);
  const fb = melFilterbank(Math.floor(nFft / 2) + 1, nMels, sampleRate, { fMin, fMax, norm, melScale });
  return applyFilterbank(spectrogram(waveform, nFft, spectrogramOptions), fb);
}

const MEL_OPTIONS = [...SPECTROGRAM_OPTIONS, 'nFft', 'nMels', 'fMin', 'fMax', 'norm', 'melScale'];

// [..., freqs, frames] -> [..., nMels, frames], as torchaudio's MelScale (matmul on the transposed spectrogram)
function applyFilterbank(spec: Tensor, fb: Tensor): Tensor {
  return transpose(matmul(transpose(spec, -1, -2), fb.to(spec.dtype)), -1, -2);
}

/**
 * The MelSpectrogram transform as a module (its filterbank computed once, a non-persistent buffer), as
 * torchaudio.transforms.MelSpectrogram.
 * @example const toMel = new MelSpectrogram(8000, { nFft: 256, hopLength: 80, nMels: 40 }); const m = toMel(waveform);
 */
export class MelSpectrogram extends Module<[Tensor], Tensor> {
  readonly nFft: number;
  readonly fb: Tensor;
  private readonly spectrogramOptions: SpectrogramOptions;

  constructor(readonly sampleRate = 16000, options: MelSpectrogramOptions & { nFft?: number } = {}) {
    super();
    const { nFft = 400, nMels = 128, fMin, fMax, norm, melScale, ...spectrogramOptions } = checkedOptions('MelSpectrogram', options, MEL_OPTIONS);
    this.nFft = nFft;
    this.spectrogramOptions = spectrogramOptions;
    this.fb = this.registerBuffer('fb', melFilterbank(Math.floor(nFft / 2) + 1, nMels, sampleRate, { fMin, fMax, norm, melScale }), false);
  }

  forward(waveform: Tensor): Tensor {
    return applyFilterbank(spectrogram(waveform, this.nFft, this.spectrogramOptions), this.fb);
  }
}

export interface AmplitudeToDbOptions {
  /** 'power' (10 log10, default) or 'magnitude' (20 log10). */
  stype?: 'power' | 'magnitude';
  /** Clamp to at most topDb below the maximum of each [channel, freq, time] block. Default null (no clamp). */
  topDb?: number | null;
  /** The floor before the log. Default 1e-10. */
  amin?: number;
  /** The reference: 0 dB. Default 1. */
  refValue?: number;
}

/**
 * A power (or magnitude) spectrogram in decibels, as torchaudio.transforms.AmplitudeToDB:
 * multiplier * log10(max(x, amin)) - multiplier * log10(max(amin, refValue)), optionally clamped by topDb.
 * @example const logMel = amplitudeToDb(mel, { topDb: 80 });
 */
export function amplitudeToDb(x: Tensor, options: AmplitudeToDbOptions = {}): Tensor {
  const op = 'amplitudeToDb';
  const { stype = 'power', topDb = null, amin = 1e-10, refValue = 1 } = checkedOptions(op, options, ['stype', 'topDb', 'amin', 'refValue']);
  if (stype !== 'power' && stype !== 'magnitude') throw new Error(`${op}: stype must be 'power' or 'magnitude', got '${String(stype)}'`);
  if (!(amin > 0)) throw new Error(`${op}: amin must be > 0, got ${amin}`);
  if (topDb !== null && !(topDb >= 0)) throw new Error(`${op}: topDb must be >= 0, got ${topDb}`);
  const multiplier = stype === 'power' ? 10 : 20;
  let db = sub(mul(log10(clamp(x, amin)), multiplier), multiplier * Math.log10(Math.max(amin, refValue)));
  if (topDb !== null) {
    // the floor is per item of the batch: the maximum over the last three dims (or all of a 2-d input)
    const shape = db.shape;
    const packed = db.ndim > 2 ? shape[shape.length - 3] : 1;
    const blocks = reshape(db, [-1, packed, shape[shape.length - 2], shape[shape.length - 1]]);
    const floor = reshape(sub(amax(blocks, [-3, -2, -1]), topDb), [-1, 1, 1, 1]);
    db = reshape(maximum(blocks, floor), shape);
  }
  return db;
}

