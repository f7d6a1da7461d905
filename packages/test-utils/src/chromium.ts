import { accessSync, constants } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, or the one CHROMIUM_PATH names; never a downloaded browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True under CI, where a browser test must run (and fail without Chromium), never skip. */
export const isCI = process.env.CI === 'true' || process.env.CI === '1';

/** True when {@link chromiumPath} is an executable. */
export const chromiumAvailable = isExecutable(chromiumPath);

/**
 * True when a browser suite should be skipped: Chromium is missing and this is not CI. Use as
 * `describe.skipIf(skipBrowser)`; under CI the suite runs and {@link launchChromium} fails loudly.
 */
export const skipBrowser = !chromiumAvailable && !isCI;

/** Launches headless Chromium; throws a message that says how to install it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable) {
    throw new Error(`Chromium not found or not executable at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH. CI must run the browser test.`);
  }
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
