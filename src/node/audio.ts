/// <reference types="node" />
// WAV files: read (PCM 8/16/24/32-bit, float 32/64, mono or multichannel) and write (16-bit PCM or float32).
import { readFileSync } from 'node:fs';
import type { Tensor } from '../tensor/tensor.js';
import { type Wav, encodeWav, parseWav } from '../audio/wav.js';
import { writeFileAtomic } from './files.js';

/**
 * Reads a WAV file: its sample rate and waveform [channels, frames] in [-1, 1], as torchaudio.load.
 * @example const { sampleRate, waveform } = readWav('../shared/data/fsdd/recordings/0_george_0.wav'); // 8000, [1, frames]
 */
export function readWav(path: string): Wav {
  try {
    return parseWav(readFileSync(path));
  } catch (e) {
    throw new Error(`readWav: ${path}: ${(e as Error).message}`);
  }
}

/**
 * Writes `waveform` ([channels, frames] or [frames], values in [-1, 1]) as a WAV file, replaced atomically.
 * @example writeWav('tone.wav', tone, 8000);
 */
export function writeWav(path: string, waveform: Tensor, sampleRate: number, options: { encoding?: 'pcm16' | 'float32' } = {}): void {
  writeFileAtomic(path, encodeWav(waveform, sampleRate, options));
}
