import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { available, EXTERNAL, launch, open, screenshot } from './browser.js';

describe.skipIf(!available)("microGPT's attention page in a real browser", () => {
  const dir = mkdtempSync(join(tmpdir(), 'microgpt-attention-'));
  const model = join(dir, 'm.safetensors');
  const file = join(dir, 'attention.html');
  let browser: Browser;
  let weights: number[][][];

  beforeAll(async () => {
    expect((await runCli(['train', '--steps', '200', '--out', model])).code).toBe(0);
    const r = await runCli(['explain', '--attention', 'mar', '--model', model, '--html', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`wrote ${file}\n`);
    const doc = JSON.parse((await runCli(['explain', '--attention', 'mar', '--model', model, '--json'])).stdout);
    weights = doc.layers[0].heads.map((h: { rows: Array<{ weights: number[] }> }) => h.rows.map((x) => x.weights));
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('is small and self-contained: no external scripts, styles, images or fonts', () => {
    expect(statSync(file).size).toBeLessThanOrEqual(40_000);
    expect(readFileSync(file, 'utf8')).not.toMatch(EXTERNAL);
  });

  it('shows one heatmap per head with the weights printed, the exact value under the pointer, the mask, invariants and head summary; offline', async () => {
    const o = await open(browser, file);
    const { page } = o;
    expect(await page.locator('table[data-heatmap]').count()).toBe(4);
    // hover head 2, row 'a' (pos 2), column 'm' (pos 1)
    await page.locator('table[data-heatmap="head 2"] tr').nth(3).locator('td').nth(1).hover();
    expect(await page.locator('#hover').textContent()).toBe(`head 2: a (pos 2) → m (pos 1) = ${weights[2]![2]![1]}`);
    // Every cell prints its weight to two decimals.
    const printed = await page.locator('table[data-heatmap="head 1"] td.cell').allTextContents();
    const expected = weights[1]!.flatMap((row, i) => row.slice(0, i + 1).map((w) => w.toFixed(2).replace(/^0/, '')));
    expect(printed).toEqual(expected);
    await page.locator('table[data-heatmap="head 0"] tr').nth(1).locator('td').nth(3).hover();
    expect(await page.locator('#hover').textContent()).toMatch(/masked/);
    const text = await page.locator('body').innerText();
    expect(text).toMatch(/Causal mask/);
    expect(text).toMatch(/✓ Row 0 is always \[1, 0, 0, 0\]/);
    expect(text).toMatch(/Head specialisation/);
    expect(o.requests).toEqual([]);
    expect(o.errors).toEqual([]);
    await screenshot(o, file, 'attention-mar', true);
  });
});
