// The webgpu backend's kernels: the shared conformance suite (read back asynchronously, at float32
// precision), then each kernel against the js reference on random operands.
import { describe } from 'node:test';
import { implementedKernels, webgpuBackend } from '../../../src/backend/webgpu/index.js';
import { arrayKernels } from '../../../src/backend/js/index.js';
import { onArraysAsync } from '../array-kernels.js';
import { backendConformance } from '../js/conformance.js';
import { openWebgpu } from './setup.js';

const skip = await openWebgpu();
const missing = Object.keys(arrayKernels).filter((k) => !implementedKernels.includes(k));

describe('webgpu conformance', { skip }, () => {
  backendConformance(onArraysAsync(webgpuBackend, missing));
});
