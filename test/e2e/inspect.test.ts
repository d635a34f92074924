import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diverging } from '../../src/render/colors.js';
import { runCli } from '../helpers/cli.js';
import { available, EXTERNAL, launch, open, screenshot } from './browser.js';

/** A safetensors file's F32 tensors, read here from the bytes (not by the project's reader). */
function readF32(path: string): Map<string, { shape: number[]; values: Float32Array }> {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    expect(t.dtype).toBe('F32');
    const data = bytes.subarray(8 + n + t.data_offsets[0], 8 + n + t.data_offsets[1]);
    out.set(name, { shape: t.shape, values: new Float32Array(new Uint8Array(data).buffer) });
  }
  return out;
}

describe.skipIf(!available)('inspect --html in a real browser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'microgpt-inspect-'));
  const model = join(dir, 'm.safetensors');
  const file = join(dir, 'inspect.html');
  let browser: Browser;

  beforeAll(async () => {
    expect((await runCli(['train', '--steps', '50', '--out', model])).code).toBe(0);
    const r = await runCli(['inspect', '--model', model, '--html', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('fits its budget (about 5.4 bytes a weight) and is self-contained', () => {
    // 4,192 weights: 22 KB of values, the rest tables and script.
    expect(statSync(file).size).toBeLessThanOrEqual(50_000);
    expect(readFileSync(file, 'utf8')).not.toMatch(EXTERNAL);
  });

  it('draws every tensor in the diverging scale and reads the stored value under the pointer', async () => {
    const tensors = readF32(model);
    const o = await open(browser, file);
    const { page } = o;
    expect(o.errors).toEqual([]);
    expect(await page.locator('canvas.weights').count()).toBe(tensors.size);
    // Pixels of attn_wq: each is the palette colour of its value on the tensor's own ±max|value| scale.
    const wq = tensors.get('layer0.attn_wq')!;
    const maxAbs = Math.max(...Array.from(wq.values, Math.abs));
    const canvas = page.locator('.maps figure', { hasText: 'layer0.attn_wq [' }).locator('canvas');
    const px = await canvas.evaluate((c: HTMLCanvasElement) =>
      Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data),
    );
    wq.values.forEach((v, k) => {
      const level = Math.round(((v / maxAbs + 1) * 255) / 2);
      expect(px.slice(4 * k, 4 * k + 3)).toEqual(diverging(2 * level - 255, 255));
    });
    // Hover: row 3, column 5 reads the float32 stored in the file, to the last bit.
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    const [rows, cols] = wq.shape as [number, number];
    await page.mouse.move(box.x + (5.5 * box.width) / cols, box.y + (3.5 * box.height) / rows);
    const m = /^layer0\.attn_wq\[3, 5\] = (-?\d\.\d+(e-\d+)?)$/.exec((await page.locator('#hover').textContent())!);
    expect(m).not.toBeNull();
    expect(Math.fround(Number(m![1]))).toBe(wq.values[3 * cols + 5]);
    await screenshot(o, file, 'inspect');
  });
});
