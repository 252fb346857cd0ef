// Debian's Chromium, driven by playwright-core (which downloads no browser of its own): the build
// report's paint timing and the lab's browser tests launch it the same way.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const chromiumMissing = (): boolean => !existsSync(CHROMIUM);

/**
 * Headless Chromium. --no-sandbox: its sandbox refuses to start as root and in most containers; the
 * network flags stop the background connections that a closed network refuses (and that would slow it).
 * @example const browser = await launchChromium(); const page = await browser.newPage();
 */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps'],
  });
}
