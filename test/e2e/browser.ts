// Shared by the browser tests: headless Chromium (Debian's, never a downloaded one), a page opened
// with its load time measured and its script errors collected, and screenshots under the system's
// temporary folder (never in the repository).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
// CI installs Debian's chromium (.ci/run); a developer machine without it skips, CI never does.
export const available = existsSync(CHROMIUM);
if (!available && process.env.CI)
  throw new Error(`${CHROMIUM} is missing; .ci/run installs it (apt-get install chromium)`);

/** Where screenshots go: look at them after a run. */
export const SCREENS = join(tmpdir(), 'microgpt-screens');

export function launch(): Promise<Browser> {
  mkdirSync(SCREENS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export interface Opened {
  page: Page;
  /** From navigation start to the end of the load event (the page's scripts have drawn by then), in ms. */
  loadMs: number;
  /** Uncaught exceptions and console errors. */
  errors: string[];
  /** Requests that left the file (a self-contained page makes none). */
  requests: string[];
}

export async function open(browser: Browser, file: string, width = 1280, height = 800): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const loadMs = await page.evaluate(
    () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
  );
  return { page, loadMs, errors, requests };
}

/** Saves a screenshot at the page's viewport and prints the page's size and load time with it. */
export async function screenshot(o: Opened, file: string, name: string, fullPage = false): Promise<void> {
  const path = join(SCREENS, `${name}.png`);
  await o.page.screenshot({ path, fullPage });
  const kb = (statSync(file).size / 1024).toFixed(0);
  console.log(`[html] ${basename(file)}: ${kb} KiB, loaded in ${o.loadMs.toFixed(0)} ms; screenshot ${path}`);
}

/** A page that loads nothing from outside: no external scripts, styles, images or fonts. */
export const EXTERNAL = /<script[^>]+src=|<link[^>]+href=|<img[^>]+src="http|url\(http|@import/i;
