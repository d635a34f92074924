/**
 * The model view: every layer's heads as canvases in a row, the weights
 * kept compactly — the causal lower triangle only, 8 bits a weight (the colour
 * scale's own resolution), base64 in one JSON block — so 12 layers × 12 heads
 * × 128 tokens stay under 2 MB where a table cell per weight took 80.
 */
import type { AttentionReport } from '../../explain/attention.js';
import { sequential } from '../colors.js';
import { headName } from '../heads.js';
import { counted, fixed, tokenText } from '../style.js';
import { MODEL_VIEW_SCRIPT } from './model-view-client.js';
import { escapeHtml as e, jsonScript } from './page.js';

/** Levels of a stored weight: 0..255, one byte. */
export const LEVELS = 255;
/** Decimals the page prints a weight with. */
export const DIGITS = 3;
/** The masked (future) cells' colour. */
const MASKED = 'f3f3f3';

/**
 * How far a printed weight can be from the model's: half a level from storing
 * it in 8 bits, plus half a unit of the last printed decimal; rounded up at one
 * more decimal than is printed.
 */
export function hoverPrecision(): string {
  const scale = 10 ** (DIGITS + 1);
  const bound = 1 / (2 * LEVELS) + 1 / (2 * 10 ** DIGITS);
  return fixed(Math.ceil(bound * scale) / scale, DIGITS + 1);
}

const hex = (rgb: readonly number[]): string => rgb.map((c) => c.toString(16).padStart(2, '0')).join('');

/** Each head's lower triangle (row q: keys 0..q), heads in page order, one byte a weight. */
function packWeights(r: AttentionReport): Buffer {
  const T = r.tokens.length;
  const perHead = (T * (T + 1)) / 2;
  const heads = r.layers.flatMap((l) => l.heads);
  const out = Buffer.alloc(heads.length * perHead);
  let at = 0;
  for (const h of heads)
    for (const [q, row] of h.rows.entries())
      for (let key = 0; key <= q; key++)
        out[at++] = Math.min(LEVELS, Math.max(0, Math.round(row.weights[key]! * LEVELS)));
  return out;
}

export const MODEL_VIEW_STYLE = `
.mv-layer{display:flex;align-items:center;gap:8px;margin:0 0 6px}
.mv-layer>h3{flex:0 0 2.2rem;font-size:.85rem;margin:0;color:#555}
.mv-heads{flex:1;min-width:0;max-width:calc(var(--cols) * 170px);display:grid;grid-template-columns:repeat(var(--cols),minmax(0,1fr));gap:6px}
.mv-heads figure{margin:0;min-width:0}
.mv-heads figcaption{font-size:11px;line-height:1.3;color:#666;text-align:center}
canvas.head{display:block;width:100%;height:auto;cursor:zoom-in}
canvas.head:hover,canvas.head:focus-visible{outline:2px solid #222;outline-offset:1px}
.tokens{line-height:1.8;max-width:none}.tokens span{background:#f3f3f3;border-radius:3px;padding:0 3px;margin-right:3px;white-space:pre}
#overlay{position:fixed;inset:0;z-index:10;background:rgba(0,0,0,.55);display:flex;align-items:center;justify-content:center}
#overlay[hidden]{display:none}
#overlay .panel{background:#fff;border-radius:6px;padding:10px;box-shadow:0 6px 30px rgba(0,0,0,.4)}
#overlay-bar{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:2px 12px;margin-bottom:4px}
#overlay-title{font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#overlay-read{grid-column:1/3;font:12px ui-monospace,Menlo,monospace;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-height:1.4em}
#overlay-close{font-size:13px;border:1px solid #bbb;background:#f6f6f6;border-radius:4px;cursor:pointer;padding:1px 8px}
#overlay canvas{display:block;cursor:crosshair}
`;

/** Heads in a row of the grid: a layer's heads, or half of them, and so on, while a row would hold more than this. */
const MAX_COLUMNS = 16;

export function modelViewHtml(r: AttentionReport): string {
  const multi = r.model.layers > 1;
  const perLayer = r.layers[0]?.heads.length ?? 0;
  const rows = Math.ceil(perLayer / MAX_COLUMNS);
  const cols = Math.ceil(perLayer / rows);
  const T = r.tokens.length;
  const labels = r.tokens.map((t) => tokenText(t.label));
  let k = 0;
  const layers = r.layers.map(
    (l) =>
      `<section class="mv-layer"><h3>L${l.layer}</h3><div class="mv-heads" style="--cols:${cols}">${l.heads
        .map((h) => {
          const name = headName(l.layer, h.head, multi);
          return `<figure><figcaption>H${h.head}</figcaption><canvas class="head" data-k="${k++}" width="${T}" height="${T}" tabindex="0" role="button" aria-label="${e(name)}: enlarge"></canvas></figure>`;
        })
        .join('')}</div></section>`,
  );
  const data = {
    labels,
    names: r.layers.flatMap((l) => l.heads.map((h) => headName(l.layer, h.head, multi))),
    headsPerLayer: perLayer,
    levels: LEVELS,
    digits: DIGITS,
    precision: hoverPrecision(),
    palette: Array.from({ length: LEVELS + 1 }, (_, v) => hex(sequential(v / LEVELS))).join(''),
    masked: MASKED,
    weights: packWeights(r).toString('base64'),
  };
  const overlay = `<div id="overlay" hidden role="dialog" aria-modal="true" aria-labelledby="overlay-title"><div class="panel"><div id="overlay-bar"><span id="overlay-title"></span><button id="overlay-close" type="button" aria-label="close (Esc)">✕ Esc</button><span id="overlay-read"></span></div><canvas id="overlay-canvas"></canvas></div></div>`;
  return [
    `<p>Every head as a thumbnail, one row per layer (rows: the query token; columns: the key it attends to). Point at a thumbnail to read a weight; click it (or Enter) to enlarge it — there ← → step through the heads, ↑ ↓ through the layers, Esc closes.</p>`,
    `<p>Weights are kept in 8 bits, the colour scale's own resolution: a weight read here is within ±${hoverPrecision()} of the model's (<code>--json</code> has them in full).</p>`,
    `<details><summary>The ${counted(T, 'token')}</summary><p class="mono tokens">${labels.map((l, i) => `<span title="pos ${i}">${e(l)}</span>`).join('')}</p></details>`,
    ...layers,
    overlay,
    jsonScript('model-view-data', data),
  ].join('\n');
}

export { MODEL_VIEW_SCRIPT };
