// WAV decoding, stft, mel filterbanks and log-mel spectrograms against torch.stft and torchaudio's
// formulas (tools/gen_audio_fixtures.py), on a real recording of the Free Spoken Digit Dataset.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as dt from '../../src/index.js';
import { readWav } from '../../src/node/index.js';
import { type FixtureTensor, assertClose, fromFixture, loadFixture, sharedData } from '../helpers.js';

const { audio } = dt;

interface StftCase {
  name: string;
  input: { from?: number; to?: number; batch?: [number, number][] };
  nFft: number;
  options: { hopLength?: number; winLength?: number; window?: 'hann' | 'hamming'; center?: boolean; normalized?: boolean; onesided?: boolean; padMode?: 'reflect' | 'constant' };
  dtype: 'float32' | 'float64';
  output: FixtureTensor;
}
interface AudioFixture {
  file: string;
  sha256: string;
  sampleRate: number;
  frames: number;
  head: number[];
  sum: number;
  sumSquares: number;
  windows: Record<string, FixtureTensor>;
  stft: StftCase[];
  filterbanks: { nFreqs: number; nMels: number; sampleRate: number; options: dt.audio.MelFilterbankOptions; fb: FixtureTensor }[];
  melSpectrogram: { options: { nFft: number; hopLength: number; nMels: number }; output: FixtureTensor };
  amplitudeToDb: { topDb80: FixtureTensor; plain: FixtureTensor };
}
const fx = loadFixture<AudioFixture>('audio');
const data = sharedData();
const skip = data ? false : 'needs ../shared/data (the FSDD recordings) or DESCENT_DATA';
const recording = () => join(data!, 'fsdd', 'recordings', fx.file);

test('windows as torch.hann_window and torch.hamming_window', () => {
  assertClose(dt.hannWindow(8), fx.windows.hann_8, { rtol: 1e-6, atol: 1e-7 });
  assertClose(dt.hannWindow(8, { periodic: false }), fx.windows.hann_8_symmetric, { rtol: 1e-6, atol: 1e-7 });
  assertClose(dt.hammingWindow(7), fx.windows.hamming_7, { rtol: 1e-6, atol: 1e-7 });
  assertClose(dt.hannWindow(5, { dtype: 'float64' }), fx.windows.hann_5_f64, { rtol: 1e-14, atol: 1e-15 });
});

test('readWav decodes the FSDD recording as torchaudio.load would (int16 / 32768)', { skip }, () => {
  assert.equal(createHash('sha256').update(readFileSync(recording())).digest('hex'), fx.sha256, 'the recording the fixture was made from');
  const { sampleRate, waveform, bitsPerSample, encoding } = readWav(recording());
  assert.deepEqual([sampleRate, bitsPerSample, encoding], [8000, 16, 'pcm']);
  assert.deepEqual(waveform.shape, [1, fx.frames]);
  assertClose(waveform.select(0, 0).slice(0, 0, 8), fx.head, { rtol: 0, atol: 0 });
  assertClose(waveform.double().sum(), fx.sum, { rtol: 1e-12 });
  assertClose(waveform.double().pow(2).sum(), fx.sumSquares, { rtol: 1e-12 });
});

for (const c of fx.stft) {
  test(`stft as torch.stft(return_complex=False): ${c.name}`, { skip }, () => {
    const signal = readWav(recording()).waveform.select(0, 0).to(c.dtype);
    const x = c.input.batch ? dt.stack(c.input.batch.map(([a, b]) => signal.slice(0, a, b))) : signal.slice(0, c.input.from, c.input.to);
    const winLength = c.options.winLength ?? c.nFft;
    const window = c.options.window === 'hann' ? dt.hannWindow(winLength, { dtype: c.dtype }) : c.options.window === 'hamming' ? dt.hammingWindow(winLength, { dtype: c.dtype }) : null;
    const out = dt.stft(x, c.nFft, { ...c.options, window });
    // the DFT is a matrix product here and an FFT in torch: equal to rounding, relative to the spectrum's scale
    const scale = c.dtype === 'float32' ? 1e-5 : 1e-11;
    const peak = out.abs().max().item();
    assertClose(out, c.output, { rtol: scale, atol: scale * peak });
  });
}

test('mel filterbanks as torchaudio.functional.melscale_fbanks (htk and slaney scales and norms)', () => {
  // float32 as torchaudio; its float32 pow and exp may differ from correctly rounded ones by an ulp or two,
  // which the slopes' divisions by small frequency differences magnify to a few 1e-6
  for (const f of fx.filterbanks) {
    const fb = audio.melFilterbank(f.nFreqs, f.nMels, f.sampleRate, f.options);
    assertClose(fb, f.fb, { rtol: 1e-4, atol: 1e-5 * fb.max().item(), message: JSON.stringify(f.options) });
  }
});

test('melSpectrogram and amplitudeToDb as torchaudio\'s MelSpectrogram and AmplitudeToDB', { skip }, () => {
  const waveform = readWav(recording()).waveform;
  const mel = audio.melSpectrogram(waveform, 8000, fx.melSpectrogram.options);
  const peak = mel.max().item();
  assertClose(mel, fx.melSpectrogram.output, { rtol: 1e-4, atol: 1e-5 * peak });
  const module = new audio.MelSpectrogram(8000, fx.melSpectrogram.options);
  assertClose(module(waveform), mel, { rtol: 0, atol: 0 });
  assert.deepEqual(Object.keys(module.stateDict()), [], 'the filterbank is not persistent');
  // decibels: compared where the power is not tiny (there float32 rounding of the power decides the dB)
  const db = audio.amplitudeToDb(mel, { topDb: 80 });
  assertClose(db, fx.amplitudeToDb.topDb80, { rtol: 1e-4, atol: 2e-3 });
  assertClose(audio.amplitudeToDb(mel), fx.amplitudeToDb.plain, { rtol: 1e-4, atol: 2e-2 });
  assert.ok(db.min().item() >= db.max().item() - 80 - 1e-4);
});

test('WAV round trips: 16-bit PCM and float32, mono and stereo; 8/24/32-bit and extensible files decode', () => {
  const stereo = dt.tensor([[0, 0.5, -0.5, 0.999], [-1, 0.25, 0.125, -0.75]]);
  const pcm = audio.parseWav(audio.encodeWav(stereo, 16000));
  assert.deepEqual([pcm.sampleRate, pcm.bitsPerSample, pcm.encoding], [16000, 16, 'pcm']);
  assertClose(pcm.waveform, stereo, { rtol: 0, atol: 1 / 32768 });
  const float = audio.parseWav(audio.encodeWav(stereo, 8000, { encoding: 'float32' }));
  assert.equal(float.encoding, 'float');
  assertClose(float.waveform, stereo, { rtol: 0, atol: 0 });
  // hand-made files of the other layouts: one frame each of 1 and -1/2
  const make = (format: number, bits: number, body: number[], extensible = false) => {
    const fmtSize = extensible ? 40 : 16;
    const bytes = new Uint8Array(12 + 8 + fmtSize + 8 + body.length);
    const v = new DataView(bytes.buffer);
    const ascii = (at: number, s: string) => [...s].forEach((ch, i) => (bytes[at + i] = ch.charCodeAt(0)));
    ascii(0, 'RIFF'); v.setUint32(4, bytes.length - 8, true); ascii(8, 'WAVE'); ascii(12, 'fmt '); v.setUint32(16, fmtSize, true);
    v.setUint16(20, extensible ? 0xfffe : format, true); v.setUint16(22, 1, true); v.setUint32(24, 8000, true);
    v.setUint16(34, bits, true);
    if (extensible) v.setUint16(20 + 24, format, true);
    ascii(20 + fmtSize, 'data'); v.setUint32(24 + fmtSize, body.length, true); bytes.set(body, 28 + fmtSize);
    return bytes;
  };
  assertClose(audio.parseWav(make(1, 8, [255, 64])).waveform, [127 / 128, -0.5]);
  assertClose(audio.parseWav(make(1, 24, [0xff, 0xff, 0x7f, 0x00, 0x00, 0xc0])).waveform, [8388607 / 8388608, -0.5]);
  assertClose(audio.parseWav(make(1, 32, [0, 0, 0, 0x40, 0, 0, 0, 0xc0])).waveform, [0.5, -0.5]);
  assertClose(audio.parseWav(make(1, 16, [0, 0x40, 0, 0xc0], true)).waveform, [0.5, -0.5]);
  assert.throws(() => audio.parseWav(new TextEncoder().encode('RIFF0000AVI LIST')), /parseWav: not a WAV file/);
  assert.throws(() => audio.parseWav(make(2, 4, [0])), /unsupported encoding 2/);
  assert.throws(() => audio.parseWav(make(1, 12, [0, 0])), /unsupported PCM sample size 12 bits/);
});

test('stft checks its arguments; the log-mel features are differentiable', () => {
  const x = dt.randn([300], { generator: new dt.Generator(0) });
  assert.throws(() => dt.stft(x, 64, { hop_length: 16 } as never), /stft: unknown option 'hop_length'.*did you mean 'hopLength'/);
  assert.throws(() => dt.stft(x, 64, { window: dt.hannWindow(32) }), /window must be a 1-d tensor of winLength = 64/);
  assert.throws(() => dt.stft(dt.randn([2, 2, 50]), 16), /signal \[L\] or batch \[B, L\]/);
  assert.throws(() => dt.stft(x.slice(0, 0, 10), 64, { center: false }), /shorter than nFft = 64/);
  const w = x.double().requiresGrad_();
  const feat = audio.amplitudeToDb(audio.melSpectrogram(w, 8000, { nFft: 64, hopLength: 16, nMels: 8 }));
  assert.equal(dt.gradcheck((s: dt.Tensor) => audio.melSpectrogram(s, 8000, { nFft: 16, hopLength: 8, nMels: 4 }), [dt.randn([40], { dtype: 'float64', generator: new dt.Generator(1) }).requiresGrad_()]), true);
  feat.sum().backward();
  assert.deepEqual(w.grad!.shape, [300]);
});
