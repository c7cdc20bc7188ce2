/**
 * Debian's chromium, driven by playwright-core: no browser is downloaded (scripts/install-test-deps.sh
 * installs the chromium package). Each launch gets a fresh profile in a temp dir.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { tempDir } from './temp-dir.js';

/** The chromium on PATH (Debian: /usr/bin/chromium; Ubuntu's old package: chromium-browser). */
export function chromiumPath(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  throw new Error('chromium is not on PATH: run scripts/install-test-deps.sh (apt-get install chromium)');
}

/**
 * A headless browser with an empty profile and a 1280x800 viewport; close the context to end it.
 * ownSignals: the caller handles SIGINT, SIGTERM and SIGHUP (Playwright's own handlers would kill
 * the browser and exit the process before the caller stops what else it started).
 */
export async function launchBrowser(options: { ownSignals?: boolean } = {}): Promise<BrowserContext> {
  const signals = options.ownSignals ? { handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false } : {};
  return chromium.launchPersistentContext(tempDir('edge-ml-chromium-'), {
    ...signals,
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * Records every request of every page of the context, through interception (context.route), so
 * that a request to another host is both seen and refused: the page must work offline.
 */
export async function recordRequests(context: BrowserContext): Promise<string[]> {
  const urls: string[] = [];
  await context.route('**', async (route) => {
    urls.push(route.request().url());
    if (/^https?:\/\/127\.0\.0\.1[:/]/.test(route.request().url())) await route.continue();
    else await route.abort('blockedbyclient');
  });
  return urls;
}
