// WAV (RIFF/WAVE) decoding: PCM 8/16/24/32-bit integer and 32/64-bit float, any number of channels, plain or
// WAVE_FORMAT_EXTENSIBLE. Samples come out as torchaudio.load gives them: float32 [channels, frames] in [-1, 1].
import { Tensor } from '../tensor/tensor.js';

export interface Wav {
  sampleRate: number;
  /** Samples [channels, frames], float32, integers scaled to [-1, 1) (int16 / 32768, as torchaudio.load). */
  waveform: Tensor;
  /** Bits per sample in the file. */
  bitsPerSample: number;
  /** 'pcm' (integer samples) or 'float'. */
  encoding: 'pcm' | 'float';
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/**
 * Decodes the bytes of a WAV file.
 * @example const { sampleRate, waveform } = parseWav(bytes); // waveform [1, frames] for a mono file
 */
export function parseWav(bytes: Uint8Array): Wav {
  const op = 'parseWav';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error(`${op}: not a WAV file (expected 'RIFF....WAVE' at the start)`);
  let format = -1;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  let data: Uint8Array | null = null;
  // chunks: 4-byte id, little-endian uint32 size, body padded to an even length
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new Error(`${op}: the fmt chunk is truncated`);
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      if (format === EXTENSIBLE) {
        if (size < 40) throw new Error(`${op}: WAVE_FORMAT_EXTENSIBLE needs a 40-byte fmt chunk, got ${size}`);
        format = view.getUint16(body + 24, true); // the first two bytes of the sub-format GUID
      }
    } else if (id === 'data') {
      // a file cut short keeps the frames that are there (as most readers do), but says nothing of a size beyond it
      data = bytes.subarray(body, Math.min(body + size, bytes.length));
    }
    at = body + size + (size % 2);
  }
  if (format === -1) throw new Error(`${op}: no fmt chunk`);
  if (data === null) throw new Error(`${op}: no data chunk`);
  if (format !== PCM && format !== FLOAT) throw new Error(`${op}: unsupported encoding ${format} (only PCM integer and IEEE float)`);
  const intBits = [8, 16, 24, 32];
  if ((format === PCM && !intBits.includes(bits)) || (format === FLOAT && bits !== 32 && bits !== 64)) {
    throw new Error(`${op}: unsupported ${format === PCM ? 'PCM' : 'float'} sample size ${bits} bits`);
  }
  if (channels < 1) throw new Error(`${op}: the file has ${channels} channels`);
  const width = bits / 8;
  const frames = Math.floor(data.length / (width * channels));
  const out = new Float32Array(channels * frames);
  const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = (offset: number): number => {
    if (format === FLOAT) return bits === 32 ? d.getFloat32(offset, true) : d.getFloat64(offset, true);
    switch (bits) {
      case 8: return (d.getUint8(offset) - 128) / 128;
      case 16: return d.getInt16(offset, true) / 32768;
      case 24: return ((d.getUint8(offset) | (d.getUint8(offset + 1) << 8) | (d.getInt8(offset + 2) << 16)) / 8388608);
      default: return d.getInt32(offset, true) / 2147483648;
    }
  };
  // interleaved frames in the file, one row per channel in the tensor
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) out[c * frames + f] = read((f * channels + c) * width);
  }
  return { sampleRate, waveform: Tensor.fromArray(out, [channels, frames], 'float32'), bitsPerSample: bits, encoding: format === PCM ? 'pcm' : 'float' };
}

/**
 * The bytes of a WAV file of `waveform` [channels, frames] (or [frames]): 16-bit PCM (values clamped to
 * [-1, 1] and rounded) or 32-bit float.
 * @example writeFileSync('tone.wav', encodeWav(tone, 8000));
 */
export function encodeWav(waveform: Tensor, sampleRate: number, { encoding = 'pcm16' }: { encoding?: 'pcm16' | 'float32' } = {}): Uint8Array {
  const op = 'encodeWav';
  if (!(waveform instanceof Tensor) || (waveform.ndim !== 1 && waveform.ndim !== 2)) throw new Error(`${op}: expected a waveform [channels, frames] or [frames]`);
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new Error(`${op}: sampleRate must be a positive integer, got ${sampleRate}`);
  if (encoding !== 'pcm16' && encoding !== 'float32') throw new Error(`${op}: encoding must be 'pcm16' or 'float32', got '${String(encoding)}'`);
  const [channels, frames] = waveform.ndim === 1 ? [1, waveform.shape[0]] : waveform.shape;
  const samples = waveform.dataSync();
  const width = encoding === 'pcm16' ? 2 : 4;
  const dataSize = channels * frames * width;
  const bytes = new Uint8Array(44 + dataSize);
  const v = new DataView(bytes.buffer);
  const ascii = (at: number, s: string) => { for (let i = 0; i < 4; i++) bytes[at + i] = s.charCodeAt(i); };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataSize, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, encoding === 'pcm16' ? PCM : FLOAT, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels * width, true);
  v.setUint16(32, channels * width, true);
  v.setUint16(34, width * 8, true);
  ascii(36, 'data');
  v.setUint32(40, dataSize, true);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) {
      const x = samples[c * frames + f];
      const at = 44 + (f * channels + c) * width;
      if (encoding === 'float32') v.setFloat32(at, x, true);
      else v.setInt16(at, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
    }
  }
  return bytes;
}
