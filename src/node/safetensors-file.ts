/// <reference types="node" />
import { readFileSync } from 'node:fs';
import type { Tensor } from '../tensor/tensor.js';
import { type SafetensorsContents, type SafetensorsMetadata, parseSafetensors, serializeSafetensors } from '../io/safetensors.js';
import { writeFileAtomic } from './files.js';

/**
 * Writes named tensors (a state dict) to a .safetensors file atomically; the file opens in PyTorch with
 * `safetensors.torch.load_file` and in Hugging Face tools. `format: 'pt'` metadata is added unless given.
 * @example saveSafetensors('model.safetensors', model.stateDict());
 */
export function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata: SafetensorsMetadata = {}): void {
  writeFileAtomic(path, serializeSafetensors(tensors, { format: 'pt', ...metadata }));
}

/**
 * Reads a .safetensors file; every size and offset is checked against the file first.
 * @example model.loadStateDict(loadSafetensors('model.safetensors').tensors);
 */
export function loadSafetensors(path: string): SafetensorsContents {
  try {
    return parseSafetensors(readFileSync(path));
  } catch (e) {
    throw new Error(`${(e as Error).message} (file ${path})`);
  }
}
