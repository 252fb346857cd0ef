// The page of test/onnx/browser.test.ts: descent/onnx bundled by Vite, called from the test through window.
import { exportBrowserCase } from '../browser-case.js';

(window as unknown as { exportBrowserCase: typeof exportBrowserCase }).exportBrowserCase = exportBrowserCase;
