/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
 * Reads a .safetensors file (every size and offset checked against the file first), or a Hugging Face sharded
 * checkpoint through its index (`model.safetensors.index.json`: every shard it names, each key checked to be in
 * the shard the index says). F16 and BF16 tensors load as float32, listed in `converted`.
 * @example model.loadStateDict(loadSafetensors('model.safetensors').tensors);
 */
export function loadSafetensors(path: string): SafetensorsContents {
  if (path.endsWith('.json')) return loadSharded(path);
  try {
    return parseSafetensors(readFileSync(path));
  } catch (e) {
    throw new Error(`${(e as Error).message} (file ${path})`);
  }
}

function loadSharded(indexPath: string): SafetensorsContents {
  const fail = (message: string): never => { throw new Error(`safetensors: ${message} (index ${indexPath})`); };
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(indexPath, 'utf8'));
  } catch (e) {
    fail(`cannot read the index as JSON: ${(e as Error).message}`);
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (weightMap === null || typeof weightMap !== 'object' || Array.isArray(weightMap) || Object.values(weightMap as object).some((v) => typeof v !== 'string')) {
    fail('expected a Hugging Face index: { "weight_map": { "<tensor name>": "<shard file>" } }');
  }
  const map = weightMap as Record<string, string>;
  const out: SafetensorsContents = { tensors: {}, metadata: null, converted: {} };
  for (const shard of [...new Set(Object.values(map))]) {
    if (shard.includes('/') || shard.includes('\\')) fail(`shard '${shard}' must be a file name beside the index`);
    const contents = loadSafetensors(join(dirname(indexPath), shard));
    out.metadata ??= contents.metadata;
    for (const [name, t] of Object.entries(contents.tensors)) {
      if (map[name] !== shard) fail(`'${name}' is in ${shard} but the index ${map[name] ? `puts it in ${map[name]}` : 'does not list it'}`);
      out.tensors[name] = t;
      if (contents.converted[name]) out.converted[name] = contents.converted[name];
    }
  }
  const missing = Object.keys(map).filter((name) => !(name in out.tensors));
  if (missing.length) fail(`the index lists tensors no shard holds: ${missing.join(', ')}`);
  return out;
}
