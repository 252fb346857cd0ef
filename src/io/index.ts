// dt.io: weights in the safetensors format (Hugging Face / PyTorch), in memory; files are in descent/node.
export { serializeSafetensors, parseSafetensors, parseSafetensorsHeader } from './safetensors.js';
export type { SafetensorsContents, SafetensorsMetadata } from './safetensors.js';
