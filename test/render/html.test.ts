import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hoverPrecision, LEVELS } from '../../src/render/html/model-view.js';
import { escapeHtml, jsonScript } from '../../src/render/html/page.js';
import { runCli } from '../helpers/cli.js';
import { gpt2Layout, writeRandomHf } from '../helpers/hf-models.js';

const HOSTILE = ['</script><script>alert(1)</script>', '<!--', 'a\u2028b\u2029c', '&amp; "q" \'s\'', '\u001b[31mred'];

describe('escaping in HTML pages', () => {
  it('jsonScript: nothing can close the element; JSON.parse gives back every string unchanged', () => {
    const html = jsonScript('d', { labels: HOSTILE });
    const body = html.slice(html.indexOf('>') + 1, html.lastIndexOf('</script>'));
    expect(body).not.toMatch(/[<>&\u2028\u2029]/);
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(JSON.parse(body)).toEqual({ labels: HOSTILE });
  });

  it('escapeHtml: markup characters as entities, control characters visible', () => {
    expect(escapeHtml('<b a="1">&\'')).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&#39;');
    expect(escapeHtml('\u001b[31mred')).toBe('\\x1b[31mred');
  });
});

describe('the model view without a browser', () => {
  it('states a precision that bounds 8-bit storage plus three printed decimals', () => {
    expect(hoverPrecision()).toBe('0.0025');
    expect(Number(hoverPrecision())).toBeGreaterThanOrEqual(1 / (2 * LEVELS) + 0.0005);
  });

  it('12 × 12 heads: ≤ 1 MB at 64 tokens, ≤ 3 MB at 128; the packed bytes are the lower triangles of the report, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'microgpt-html-'));
    const model = writeRandomHf(
      join(dir, 'm'),
      { model_type: 'gpt2', n_embd: 48, n_layer: 12, n_head: 12, n_positions: 128, vocab_size: 300 },
      gpt2Layout({ hidden: 48, layers: 12, vocab: 300, positions: 128 }),
    );
    const sizes: number[] = [];
    for (const n of [64, 128]) {
      const file = join(dir, `${n}.html`);
      const ids = Array.from({ length: n }, (_, i) => (i * 7) % 300).join(',');
      expect((await runCli(['explain', '--attention', '--model', model, '--ids', ids, '--html', file])).code).toBe(0);
      sizes.push(statSync(file).size);
      if (n !== 64) continue;
      // The last layer's heads are the last 12 × 64·65/2 bytes.
      const html = readFileSync(file, 'utf8');
      const data = JSON.parse(/<script type="application\/json" id="model-view-data">(.*?)<\/script>/s.exec(html)![1]!);
      const bytes = Buffer.from(data.weights, 'base64');
      const perHead = (64 * 65) / 2;
      expect(bytes.length).toBe(144 * perHead);
      const doc = JSON.parse(
        (await runCli(['explain', '--attention', '--model', model, '--ids', ids, '--layer', '11', '--json'])).stdout,
      );
      const expected = doc.layers[0].heads.flatMap((h: { rows: Array<{ weights: number[] }> }) =>
        h.rows.flatMap((r, q) => r.weights.slice(0, q + 1).map((w) => Math.round(w * 255))),
      );
      expect([...bytes.subarray(132 * perHead)]).toEqual(expected);
    }
    expect(sizes[0]).toBeLessThanOrEqual(1_000_000);
    expect(sizes[1]).toBeLessThanOrEqual(3_000_000);
  }, 60_000);
});
