import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { gpt2Layout, writeRandomHf } from '../helpers/hf-models.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = join(ROOT, 'test-output');
// CI installs Debian's chromium (.ci/run); a developer machine without it skips, CI never does.
const available = existsSync(CHROMIUM);
if (!available && process.env.CI)
  throw new Error(`${CHROMIUM} is missing; .ci/run installs it (apt-get install chromium)`);

describe.skipIf(!available)('the HTML report in a real browser (headless Chromium)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'microgpt-html-'));
  const model = join(dir, 'm.safetensors');
  const attention = join(dir, 'attention.html');
  const inspect = join(dir, 'inspect.html');
  const real = join(dir, 'gpt2');
  const modelView = join(dir, 'model-view.html');
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    expect((await runCli(['train', '--steps', '200', '--out', model])).code).toBe(0);
    expect((await runCli(['explain', '--attention', 'mar', '--model', model, '--html', attention])).code).toBe(0);
    expect((await runCli(['inspect', '--model', model, '--html', inspect])).code).toBe(0);
    // A real-model layout (2 layers × 4 heads, GPT-2's vocabulary, random weights): the model view.
    writeRandomHf(
      real,
      { model_type: 'gpt2', n_embd: 16, n_layer: 2, n_head: 4, n_positions: 64, vocab_size: 50257 },
      gpt2Layout({ hidden: 16, layers: 2, vocab: 50257, positions: 64 }),
    );
    expect(
      (await runCli(['explain', '--attention', 'the cat sat on', '--model', real, '--html', modelView])).code,
    ).toBe(0);
    browser = await chromium.launch({
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
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('is self-contained: no external scripts, styles, images or fonts', () => {
    const html = readFileSync(attention, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src="http|url\(http|@import/i);
  });

  it('shows one heatmap per head, the value under the pointer, the mask, invariants and head summary; offline', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(attention).href);
    expect(await page.locator('table[data-heatmap]').count()).toBe(4);
    // hover head 2, row 'a' (pos 2), column 'm' (pos 1)
    const cell = page.locator('table[data-heatmap="head 2"] tr').nth(3).locator('td').nth(1);
    await cell.hover();
    const hover = await page.locator('#hover').textContent();
    const expected = JSON.parse((await runCli(['explain', '--attention', 'mar', '--model', model, '--json'])).stdout)
      .layers[0].heads[2].rows[2].weights[1];
    expect(hover).toBe(`head 2: a (pos 2) → m (pos 1) = ${expected}`);
    await page.locator('table[data-heatmap="head 0"] tr').nth(1).locator('td').nth(3).hover();
    expect(await page.locator('#hover').textContent()).toMatch(/masked/);
    const text = await page.locator('body').innerText();
    expect(text).toMatch(/Causal mask/);
    expect(text).toMatch(/✓ Row 0 is always \[1, 0, 0, 0\]/);
    expect(text).toMatch(/Head specialisation/);
    await page.screenshot({ path: join(OUT, 'attention-report.png'), fullPage: true });
    expect(requests).toEqual([]);
  });

  it('inspect --html shows every tensor as a heatmap', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    await page.goto(pathToFileURL(inspect).href);
    expect(await page.locator('figure').count()).toBe(9);
    expect(statSync(inspect).size).toBeLessThan(150_000);
    // Weight maps are canvases; hovering a cell reads the exact stored value.
    const first = page.locator('canvas.weights').first();
    await first.hover({ position: { x: 4, y: 4 } });
    expect(await page.locator('#hover').textContent()).toMatch(/^wte\[0, 0\] = -?\d\.\d+/);
    await page.screenshot({ path: join(OUT, 'inspect-report.png'), fullPage: false });
  });

  it('a real model is a model view: a thumbnail per head, a row per layer, click to enlarge, hover to read', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    await page.goto(pathToFileURL(modelView).href);
    expect(await page.locator('.layer').count()).toBe(2);
    expect(await page.locator('.thumbs figure.thumb').count()).toBe(8);
    const first = page.locator('.thumbs figure').first();
    const small = (await first.boundingBox())!.width;
    await first.click();
    expect(await first.getAttribute('class')).toBe('open');
    expect((await first.boundingBox())!.width).toBeGreaterThan(2 * small);
    await first.locator('tr').nth(2).locator('td').nth(0).hover();
    expect(await page.locator('#hover').textContent()).toMatch(/^L0 H0:  cat \(pos 1\) → the \(pos 0\) = 0\.\d+/);
    await page.screenshot({ path: join(OUT, 'model-view.png'), fullPage: false });
  });

  it('lab induction --html: the losses as a chart with the phase change marked, the story as text', async () => {
    const lab = join(dir, 'lab.html');
    expect((await runCli(['lab', 'induction', '--steps', '500', '--html', lab])).code).toBe(0);
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    await page.goto(pathToFileURL(lab).href);
    expect(await page.locator('svg polyline').count()).toBe(2);
    expect(await page.locator('svg').textContent()).toMatch(/phase change, step \d+/);
    expect(await page.locator('pre').textContent()).toMatch(/composes with the layer-0 previous-token head/);
    await page.screenshot({ path: join(OUT, 'lab-induction.png'), fullPage: false });
  });
});
