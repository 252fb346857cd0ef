// The model and input that test/onnx/browser.test.ts exports both in a page (bundled by Vite) and in Node.
import { type Tensor, manualSeed, nn, randn } from '../../src/index.js';
import { exportOnnx } from '../../src/onnx/index.js';

export interface BrowserExport {
  isUint8Array: boolean;
  bytes: number[];
}

/** A small CNN on a fixed seed, and its input. */
export function browserCase(): { model: nn.Module; input: Tensor } {
  manualSeed(7);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(2), new nn.Linear(16, 6), new nn.LayerNorm(6), new nn.Softmax(-1),
  );
  return { model, input: randn([2, 1, 8, 8]) };
}

/** exportOnnx from descent/onnx on browserCase(): the bytes, as a plain array for the page to return. */
export function exportBrowserCase(): BrowserExport {
  const { model, input } = browserCase();
  const bytes = exportOnnx(model, input, { inputNames: ['image'], outputNames: ['scores'] });
  return { isUint8Array: bytes instanceof Uint8Array, bytes: Array.from(bytes) };
}
