import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../../src/render/colors.js';
import { runCli } from '../helpers/cli.js';
import { gpt2Layout, writeRandomHf } from '../helpers/hf-models.js';
import { available, EXTERNAL, launch, open, screenshot } from './browser.js';

// A GPT-2-layout model at real shape — 12 layers × 12 heads — made small by its width (head_dim 4).
const LAYERS = 12;
const HEADS = 12;
const HIDDEN = HEADS * 4;
/** The page's stated precision: 8-bit storage (±1/510) plus three printed decimals (±0.0005), rounded up. */
const PRECISION = 0.0025;

const ids = (n: number) => Array.from({ length: n }, (_, i) => (i * 37) % 512).join(',');

type Weights = number[][][][]; // [layer][head][query][key]
const weightsOf = (doc: { layers: Array<{ heads: Array<{ rows: Array<{ weights: number[] }> }> }> }): Weights =>
  doc.layers.map((l) => l.heads.map((h) => h.rows.map((r) => r.weights)));

/** "L3 H7: #12 (pos 40) → #5 (pos 12) = 0.034 ± 0.0025" → its parts. */
function parseHover(text: string) {
  const m = /^L(\d+) H(\d+): .* \(pos (\d+)\) → .* \(pos (\d+)\) = (\d\.\d{3}) ± (0\.\d+)$/.exec(text);
  if (!m) throw new Error(`unexpected hover text: ${text}`);
  const [layer, head, q, key] = m.slice(1, 5).map(Number) as [number, number, number, number];
  return { layer, head, q, key, value: Number(m[5]), precision: m[6] };
}

/** A layer's thumbnails, in page coordinates (where they sit in the document, whatever the scroll). */
async function thumbnailBoxes(page: Page, layer: number) {
  return page
    .locator('.mv-layer')
    .nth(layer)
    .locator('canvas.head')
    .evaluateAll((cs) =>
      cs.map((c) => {
        const r = c.getBoundingClientRect();
        return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height };
      }),
    );
}

/** Head k scrolled into view; its box in the window's coordinates, for the mouse. */
async function headInView(page: Page, k: number) {
  const head = page.locator('canvas.head').nth(k);
  await head.scrollIntoViewIfNeeded();
  return (await head.boundingBox())!;
}

describe.skipIf(!available)('the model view in a real browser: 12 layers × 12 heads, 64 and 128 tokens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'microgpt-model-view-'));
  const model = join(dir, 'gpt2-12x12');
  const page64 = join(dir, 'model-view-64.html');
  const page128 = join(dir, 'model-view-128.html');
  let w64: Weights;
  let lastLayer128: number[][][];
  let browser: Browser;

  beforeAll(async () => {
    writeRandomHf(
      model,
      { model_type: 'gpt2', n_embd: HIDDEN, n_layer: LAYERS, n_head: HEADS, n_positions: 128, vocab_size: 512 },
      gpt2Layout({ hidden: HIDDEN, layers: LAYERS, vocab: 512, positions: 128 }),
    );
    const args = (n: number) => ['explain', '--attention', '--model', model, '--ids', ids(n)];
    // --html writes the page and prints no text report: one line on stderr names the file.
    for (const [n, file] of [
      [64, page64],
      [128, page128],
    ] as const) {
      const r = await runCli([...args(n), '--html', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`wrote ${file}\n`);
    }
    // --json still prints JSON with --html; the weights to compare with.
    const both = await runCli([...args(64), '--json', '--html', join(dir, 'again.html')]);
    w64 = weightsOf(JSON.parse(both.stdout));
    lastLayer128 = weightsOf(JSON.parse((await runCli([...args(128), '--layer', '11', '--json'])).stdout))[0]!;
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('fits the size budgets: ≤ 1 MB at 64 tokens, ≤ 3 MB at 128; self-contained', () => {
    expect(statSync(page64).size).toBeLessThanOrEqual(1_000_000);
    expect(statSync(page128).size).toBeLessThanOrEqual(3_000_000);
    for (const file of [page64, page128]) expect(readFileSync(file, 'utf8')).not.toMatch(EXTERNAL);
    expect(readFileSync(page64, 'utf8')).toContain(`±${PRECISION}`);
  });

  it('draws every head: each lower-triangle pixel is the colour of its weight, the future is grey; 12 heads in one row', async () => {
    const o = await open(browser, page64);
    expect(o.errors).toEqual([]);
    expect(o.requests).toEqual([]);
    expect(await o.page.locator('.mv-layer').count()).toBe(LAYERS);
    expect(await o.page.locator('canvas.head').count()).toBe(LAYERS * HEADS);
    // At 1280 px a layer's 12 heads share one row, inside the window, each big enough to see.
    for (const layer of [0, LAYERS - 1]) {
      const boxes = await thumbnailBoxes(o.page, layer);
      expect(boxes).toHaveLength(HEADS);
      for (const b of boxes) expect(Math.abs(b.y - boxes[0]!.y)).toBeLessThan(1);
      boxes.slice(1).forEach((b, i) => expect(b.x).toBeGreaterThan(boxes[i]!.x + boxes[i]!.width));
      expect(boxes.at(-1)!.x + boxes.at(-1)!.width).toBeLessThanOrEqual(1280);
      expect(boxes[0]!.width).toBeGreaterThan(60);
    }
    // Every pixel of three heads (first, middle, last) against the report's weights.
    for (const [layer, head] of [
      [0, 0],
      [5, 7],
      [11, 11],
    ] as const) {
      const k = layer * HEADS + head;
      const px = await o.page.evaluate((k) => {
        const c = document.querySelectorAll<HTMLCanvasElement>('canvas.head')[k]!;
        return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
      }, k);
      const T = 64;
      expect(px).toHaveLength(T * T * 4);
      const rows = w64[layer]![head]!;
      for (let i = 0; i < T; i++)
        for (let j = 0; j < T; j++) {
          const at = 4 * (i * T + j);
          const expected = j > i ? [0xf3, 0xf3, 0xf3] : sequential(Math.round(rows[i]![j]! * 255) / 255);
          expect(px.slice(at, at + 3), `L${layer} H${head} [${i}, ${j}]`).toEqual(expected);
        }
    }
    await screenshot(o, page64, 'model-view-64');
  });

  it('hovering a thumbnail reads query, key and weight to the stated precision', async () => {
    const { page } = await open(browser, page64);
    const box = await headInView(page, 3 * HEADS + 7);
    for (const [q, key] of [
      [40, 12],
      [63, 0],
      [10, 10],
    ] as const) {
      await page.mouse.move(box.x + ((key + 0.5) * box.width) / 64, box.y + ((q + 0.5) * box.height) / 64);
      const h = parseHover((await page.locator('#hover').textContent())!);
      expect([h.layer, h.head]).toEqual([3, 7]);
      expect(Math.abs(h.q - q)).toBeLessThanOrEqual(1);
      expect(Math.abs(h.key - key)).toBeLessThanOrEqual(1);
      expect(h.precision).toBe(String(PRECISION));
      expect(Math.abs(h.value - w64[3]![7]![h.q]![h.key]!)).toBeLessThanOrEqual(PRECISION);
    }
  });

  it('clicking a head opens an overlay that fits the window without moving the grid; hover reads it; arrows step; Escape closes', async () => {
    for (const [width, height] of [
      [1280, 800],
      [900, 600],
    ] as const) {
      const o = await open(browser, page64, width, height);
      const { page } = o;
      const before = await thumbnailBoxes(page, 2);
      await page
        .locator('canvas.head')
        .nth(2 * HEADS + 5)
        .click();
      const overlay = page.locator('#overlay');
      await expect.poll(() => overlay.isVisible()).toBe(true);
      expect(await page.locator('#overlay-title').textContent()).toMatch(/^L2 H5/);
      for (const el of ['#overlay .panel', '#overlay-canvas']) {
        const b = (await page.locator(el).boundingBox())!;
        expect(b.x).toBeGreaterThanOrEqual(0);
        expect(b.y).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width).toBeLessThanOrEqual(width);
        expect(b.y + b.height).toBeLessThanOrEqual(height);
      }
      const canvas = (await page.locator('#overlay-canvas').boundingBox())!;
      expect(canvas.height).toBeGreaterThan(height / 2);
      expect(await thumbnailBoxes(page, 2)).toEqual(before);
      // Points across the enlarged head: each reads the report's weight of the cell it names.
      const seen = new Set<string>();
      for (const [fx, fy] of [
        [0.3, 0.9],
        [0.5, 0.6],
        [0.95, 0.97],
        [0.2, 0.5],
      ] as const) {
        await page.mouse.move(canvas.x + fx * canvas.width, canvas.y + fy * canvas.height);
        const h = parseHover((await page.locator('#overlay-read').textContent())!);
        expect([h.layer, h.head]).toEqual([2, 5]);
        expect(Math.abs(h.value - w64[2]![5]![h.q]![h.key]!)).toBeLessThanOrEqual(PRECISION);
        seen.add(`${h.q},${h.key}`);
      }
      expect(seen.size).toBe(4);
      if (width === 1280) await screenshot(o, page64, 'model-view-64-overlay');
      await page.keyboard.press('ArrowRight');
      expect(await page.locator('#overlay-title').textContent()).toMatch(/^L2 H6/);
      await page.keyboard.press('ArrowDown');
      expect(await page.locator('#overlay-title').textContent()).toMatch(/^L3 H6/);
      await page.keyboard.press('Escape');
      expect(await overlay.isVisible()).toBe(false);
      expect(o.errors).toEqual([]);
    }
  });

  it('128 tokens: the last layer (the end of the packed weights) reads the report, the overlay fits', async () => {
    const o = await open(browser, page128);
    expect(o.errors).toEqual([]);
    const box = await headInView(o.page, LAYERS * HEADS - 1);
    await o.page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.99);
    const h = parseHover((await o.page.locator('#hover').textContent())!);
    expect([h.layer, h.head]).toEqual([LAYERS - 1, HEADS - 1]);
    expect(h.q).toBeGreaterThan(120);
    expect(Math.abs(h.value - lastLayer128[HEADS - 1]![h.q]![h.key]!)).toBeLessThanOrEqual(PRECISION);
    await screenshot(o, page128, 'model-view-128');
    await o.page
      .locator('canvas.head')
      .nth(LAYERS * HEADS - 1)
      .click();
    const b = (await o.page.locator('#overlay .panel').boundingBox())!;
    expect(b.y + b.height).toBeLessThanOrEqual(800);
    expect(b.x + b.width).toBeLessThanOrEqual(1280);
    await screenshot(o, page128, 'model-view-128-overlay');
  });
});
