import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import puppeteer, { type Browser } from 'puppeteer-core';
import { repoRoot } from '../../controlplane/binaries.js';

/**
 * Headless Chromium from the npm package @sparticuz/chromium, which ships the
 * browser as a Brotli-compressed binary: no download, nothing outside the
 * registry. It is unpacked once per version into node_modules/.cache (the
 * package's own helper would unpack into the shared /tmp), and every launch
 * gets a fresh profile. The flags keep it from reaching out (this machine
 * refuses outside connections anyway) and from needing a GPU or a sandbox.
 */
export const OUTPUT_DIR = path.join(repoRoot, 'test-output', 'browser');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type Chromium = { readonly browser: Browser; close(): Promise<void> };

export async function launchChromium(): Promise<Chromium> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const userDataDir = mkdtempSync(path.join(OUTPUT_DIR, 'profile-'));
  const browser = await puppeteer.launch({
    executablePath: await chromiumBinary(),
    headless: 'shell',
    userDataDir,
    args: FLAGS,
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

async function chromiumBinary(): Promise<string> {
  const bin = path.join(path.dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', '..', 'bin');
  const { version } = JSON.parse(readFileSync(path.join(bin, '..', 'package.json'), 'utf8')) as { version: string };
  const folder = path.join(repoRoot, 'node_modules', '.cache', 'sparticuz-chromium', version);
  const binary = path.join(folder, 'chromium');
  if (existsSync(binary)) return binary;
  mkdirSync(folder, { recursive: true });
  // Unpacked beside and renamed into place, so test files starting at once never run a half-written binary.
  const partial = `${binary}.${process.pid}.partial`;
  await pipeline(
    createReadStream(path.join(bin, 'chromium.br')),
    createBrotliDecompress(),
    createWriteStream(partial, { mode: 0o755 }),
  );
  renameSync(partial, binary);
  return binary;
}
