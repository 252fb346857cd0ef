// Opens the webgpu backend for a test file. Without a GPU, SwiftShader (Chromium's Vulkan driver, from
// Debian's chromium package) is the adapter: VK_ICD_FILENAMES points the Vulkan loader at it. With no
// adapter the file's tests are skipped, saying why, unless DESCENT_REQUIRE_BROWSER=1 (CI), where that fails.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { webgpuBackend } from '../../../src/backend/webgpu/index.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Opens the GPU; resolves to false when it is ready, or to the reason the tests are skipped. */
export async function openWebgpu(): Promise<string | false> {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  try {
    await webgpuBackend.ready!();
    return false;
  } catch (e) {
    const reason = `no WebGPU adapter: ${(e as Error).message}`;
    if (process.env.DESCENT_REQUIRE_BROWSER === '1') test('a WebGPU adapter (SwiftShader)', () => assert.fail(reason));
    return reason;
  }
}
