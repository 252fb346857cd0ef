/// <reference types="node" />
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { type OnnxExportOptions, exportOnnx as exportOnnxBytes } from '../onnx/index.js';
import { writeFileAtomic } from './files.js';

/**
 * Traces `model` on `exampleInput` and writes the ONNX model to `path` atomically (see descent/onnx's
 * exportOnnx for what is traced); returns the bytes written.
 * @example exportOnnx(model, dt.randn([1, 1, 28, 28]), 'model.onnx');
 */
export function exportOnnx(model: Module, exampleInput: Tensor | readonly unknown[], path: string, options: OnnxExportOptions = {}): Uint8Array {
  if (typeof path !== 'string' || path === '') throw new Error(`exportOnnx: path must be a file name, got ${JSON.stringify(path)}`);
  const bytes = exportOnnxBytes(model, exampleInput, options);
  writeFileAtomic(path, bytes);
  return bytes;
}
