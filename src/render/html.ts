import type { AttentionReport } from '../explain/attention.js';
import type { ArchitectureReport } from '../explain/architecture.js';
import type { HeadSummaryReport } from '../explain/heads.js';
import { headName, headVerdict } from './heads.js';
import type { InspectReport } from '../explain/inspect.js';
import type { InvariantResult } from '../explain/invariants.js';
import type { MaskReport } from '../explain/mask.js';
import { maskNumber } from './mask.js';
import { css, diverging, RAMP_STOPS, sequential, textOn } from './colors.js';
import { fixed, grouped } from './style.js';
import { escapeHtml, safe } from './escape.js';
import { scriptJson } from './json.js';
import { GENERATOR_META } from './generator.js';

/**
 * Self-contained HTML reports: one file, inline CSS and a few lines of inline
 * script for the value under the pointer; no network, no external assets.
 * Every string from a report is escaped.
 */
export { escapeHtml };
const e = escapeHtml;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace}
table.kv td{padding:.1rem .8rem .1rem 0}
.heads{display:flex;flex-wrap:wrap;gap:1.5rem}
.heatmap{border-collapse:collapse;font:12px ui-monospace,Menlo,monospace}
.heatmap th{font-weight:normal;padding:2px 4px;color:#555}
.heatmap td{width:34px;height:28px;text-align:center;border:1px solid #fff}
.heatmap td.masked{background:#f3f3f3;color:#bbb}
.heatmap td.cell:hover{outline:2px solid #000}
.thumbs figure{cursor:zoom-in;margin:0}.thumbs figure.open{cursor:zoom-out}
.thumbs figure.thumb .heatmap td,.thumbs figure.thumb .heatmap th{width:6px;height:6px;padding:0;font-size:0;border:0}
.thumbs figure.thumb td.note{display:none}
.layer h3{font-size:1rem;margin:.8rem 0 .3rem}
.heatmap td.note{width:auto;text-align:left;padding-left:.6rem;color:#555;font-family:system-ui,sans-serif}
#hover{position:sticky;top:0;background:#fffbe6;border:1px solid #e6d78a;padding:.4rem .8rem;min-height:1.4em;font-family:ui-monospace,monospace}
.ok{color:#1a7f37}.bad{color:#cf222e}
table.data{border-collapse:collapse}table.data td,table.data th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:right}table.data td.t,table.data th.t{text-align:left}
table.data td:first-child,table.data th:first-child,table.data td:last-child,table.data th:last-child{text-align:left}
.legend span{display:inline-block;width:34px;text-align:center;font:12px monospace}
`;

const SCRIPT = `
const hover = document.getElementById('hover');
document.addEventListener('click', (ev) => {
  const fig = ev.target.closest && ev.target.closest('.thumbs figure');
  if (!fig) return;
  const open = fig.classList.toggle('open');
  fig.classList.toggle('thumb', !open);
});
document.addEventListener('mouseover', (ev) => {
  const td = ev.target.closest && ev.target.closest('td[data-value]');
  if (td) hover.textContent = td.dataset.label + ' = ' + td.dataset.value;
});
for (const canvas of document.querySelectorAll('canvas.weights')) {
  const w = JSON.parse(canvas.dataset.weights);
  const cell = Number(canvas.dataset.cell);
  const ctx = canvas.getContext('2d');
  for (let i = 0; i < w.rows; i++)
    for (let j = 0; j < w.cols; j++) {
      const k = i * w.cols + j;
      ctx.fillStyle = '#' + w.hex.slice(6 * k, 6 * k + 6);
      ctx.fillRect(j * cell, i * cell, cell, cell);
    }
  canvas.addEventListener('mousemove', (ev) => {
    const i = Math.floor(ev.offsetY / cell), j = Math.floor(ev.offsetX / cell);
    if (i < w.rows && j < w.cols) hover.textContent = w.name + '[' + i + ', ' + j + '] = ' + w.values[i * w.cols + j];
  });
}
`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${GENERATOR_META}<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${e(title)}</h1>
<div id="hover">Point at a cell to read its value.</div>
${body}
<script>${SCRIPT}</script>
</body></html>
`;
}

function architectureHtml(a: ArchitectureReport): string {
  const rows: Array<[string, string]> = [
    ['Attention type', `${a.attentionType.toUpperCase()} (${a.attentionTitle})`],
    ['Heads', String(a.heads)],
    ['Head dim', String(a.headDim)],
    ['Total attn dim', `${a.totalAttnDim} (${a.heads} × ${a.headDim})`],
    ['Scale factor', `1/√${a.headDim} = ${fixed(a.scale, 4)}`],
    ['Layers / n_embd / context / vocab', `${a.layers} / ${a.nEmbd} / ${a.blockSize} / ${a.vocabSize}`],
    ['Parameters', grouped(a.parameters)],
  ];
  return `<h2>Architecture</h2><table class="kv">${rows.map(([k, v]) => `<tr><td>${e(k)}</td><td class="mono">${e(v)}</td></tr>`).join('')}</table>`;
}

/** One attention matrix; masked cells are grey and labelled as masked. */
function attentionHeatmap(
  title: string,
  rows: readonly (readonly number[])[],
  labels: readonly string[],
  notes: ReadonlyArray<string | null>,
  thumb = false,
): string {
  const head = `<tr><th></th>${labels.map((l) => `<th>${e(l)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row, i) => {
      const cells = row
        .map((w, j) => {
          const label = `${title}: ${labels[i]} (pos ${i}) → ${labels[j]} (pos ${j})`;
          if (j > i)
            return `<td class="masked" data-label="${e(label)}" data-value="masked (future, exactly 0)">·</td>`;
          const c = sequential(w);
          return `<td class="cell" style="background:${css(c)};color:${textOn(c)}" data-label="${e(label)}" data-value="${w}">${fixed(w, 2).replace(/^0/, '')}</td>`;
        })
        .join('');
      return `<tr><th>${e(labels[i])}</th>${cells}<td class="note">${e(notes[i] ?? '')}</td></tr>`;
    })
    .join('');
  return `<figure${thumb ? ' class="thumb"' : ''}><figcaption>${e(title)}</figcaption><table class="heatmap" data-heatmap="${e(title)}">${head}${body}</table></figure>`;
}

function invariantsHtml(invariants: readonly InvariantResult[]): string {
  const items = invariants.map(
    (i) =>
      `<li class="${i.holds ? 'ok' : 'bad'}">${i.holds ? '✓' : '✗'} ${e(i.statement)} — ${e(i.reason)} (worst deviation ${i.worst.deviation === 0 ? '0' : i.worst.deviation.toExponential(2)})</li>`,
  );
  return `<h2>Structural invariants (checked on these weights)</h2><ul>${items.join('')}</ul>`;
}

function maskHtml(m: MaskReport): string {
  const mask = maskNumber(m.maskValue);
  const rows = m.reference.grid.map(
    (row, i) =>
      `<tr><th>pos ${i}</th>${row.map((v, j) => `<td class="${m.fused.grid[i]![j] === 'skipped' ? 'masked' : 'cell'}" data-label="mask[${i}][${j}]" data-value="${maskNumber(v)}">${maskNumber(v)}</td>`).join('')}</tr>`,
  );
  return `<h2>Causal mask</h2><p>Each position attends to itself and earlier positions. The ${m.runs} attention kernel the model runs never scores a future position (its weight stays exactly ${m.fused.skippedWeight}); the reference path adds the values below, ${mask} rather than −∞, so softmax's input stays finite (exp(${mask}) = ${m.facts.expOfMaskF64} exactly).</p><table class="heatmap">${rows.join('')}</table>`;
}

function headSummaryHtml(summary: HeadSummaryReport): string {
  const multi = summary.heads.some((h) => h.layer > 0);
  const rows = summary.heads.map(
    (h) =>
      `<tr><td class="t">${headName(h.layer, h.head, multi)}</td><td>${fixed(h.previous, 2)}</td><td>${fixed(h.self, 2)}</td><td>${fixed(h.bos, 2)}</td><td>${fixed(h.entropy, 2)}</td><td class="t">${e(headVerdict(h))}</td></tr>`,
  );
  return `<h2>Head specialisation</h2><p>Mean weight over ${summary.probeSize} corpus names, positions ≥ ${summary.fromPosition}; a head is named for a target given ${summary.lift}× what uniform attention would give it.</p><table class="data"><tr><th class="t">head</th><th>→ prev</th><th>→ self</th><th>→ BOS</th><th>entropy</th><th class="t">label</th></tr>${rows.join('')}</table>`;
}

function legendHtml(): string {
  const steps = RAMP_STOPS.map((w) => {
    const c = sequential(w);
    return `<span style="background:${css(c)};color:${textOn(c)}">${w}</span>`;
  });
  return `<p class="legend">Weight: ${steps.join('')} <span style="background:#f3f3f3;color:#bbb">·</span> masked</p>`;
}

/** More heads than this and the page is a model view: a thumbnail per head, a row per layer, click to enlarge. */
const FULL_SIZE_HEADS = 4;

export function renderAttentionHtml(r: AttentionReport, mask: MaskReport): string {
  const labels = r.tokens.map((t) => t.label);
  const thumbs = r.headsShown > FULL_SIZE_HEADS;
  const layerHeads = r.layers.map((l) =>
    l.heads.map((h) =>
      attentionHeatmap(
        headName(l.layer, h.head, r.model.layers > 1),
        h.rows.map((x) => x.weights),
        labels,
        h.rows.map((x) => x.note),
        thumbs,
      ),
    ),
  );
  const heads = thumbs
    ? `<p>Every head as a thumbnail, a row per layer: click one to enlarge it (and again to shrink it); point at a cell to read its weight.</p>${r.layers
        .map(
          (l, i) =>
            `<div class="layer"><h3>Layer ${l.layer}</h3><div class="heads thumbs">${layerHeads[i]!.join('')}</div></div>`,
        )
        .join('')}`
    : `<div class="heads">${layerHeads.flat().join('')}</div>`;
  return page(
    `microgpt: attention on "${r.text}"`,
    [
      `<p>Tokens [${labels.map(e).join(', ')}], weights from ${e(r.weightsFrom)}.</p>`,
      architectureHtml(r.architecture),
      `<h2>Attention weights</h2><p class="mono">${e(r.equation)}</p>${legendHtml()}${heads}`,
      invariantsHtml(r.invariants),
      maskHtml(mask),
      r.headSummary ? headSummaryHtml(r.headSummary) : '',
    ].join('\n'),
  );
}

/** Cell size of a weight map, in CSS pixels. */
const WEIGHT_CELL = 8;

/**
 * A weight matrix in a diverging scale (blue negative, red positive), drawn on
 * a canvas from colours computed here (one hex triple per cell) and the values
 * for hovering: about 25 bytes a weight, where a table cell each took 150.
 */
function weightHeatmap(name: string, shape: number[], values: readonly number[], maxAbs: number): string {
  const [rows, cols] = shape.length === 2 ? shape : [1, values.length];
  const hex = values
    .map((v) =>
      diverging(v, maxAbs)
        .map((c) => c.toString(16).padStart(2, '0'))
        .join(''),
    )
    .join('');
  const data = e(scriptJson({ name: safe(name), rows, cols, hex, values }));
  return `<figure><figcaption class="mono">${e(name)} [${shape.join(', ')}]</figcaption><canvas class="weights" width="${cols * WEIGHT_CELL}" height="${rows * WEIGHT_CELL}" data-cell="${WEIGHT_CELL}" data-weights="${data}"></canvas></figure>`;
}

export function renderInspectHtml(r: InspectReport, values: ReadonlyMap<string, readonly number[]>): string {
  const rows = r.tensors.map(
    (t) =>
      `<tr><td class="mono t">${e(t.name)}</td><td class="t">${e(t.role)}</td><td class="t">[${t.shape.join(', ')}]</td><td>${grouped(t.stats.count)}</td><td>${fixed(t.stats.mean, 4)}</td><td>${fixed(t.stats.std, 4)}</td><td>${fixed(t.stats.min, 4)}</td><td>${fixed(t.stats.max, 4)}</td></tr>`,
  );
  const pipeline = r.pipeline.map(
    (p) =>
      `<tr><td class="t">${e(p.operation)}</td><td class="t">${e(p.kernel)}</td><td class="mono t">${e(p.formula)}</td><td class="t">${p.executable ? '✓ runs here' : 'explain-only'}</td></tr>`,
  );
  return page(
    `microgpt: inspect ${r.family}`,
    [
      `<p>Weights from ${e(r.weightsFrom)}.</p>`,
      architectureHtml(r.architecture),
      `<h2>Tensors</h2><table class="data"><tr><th class="t">name</th><th class="t">role</th><th class="t">shape</th><th>count</th><th>mean</th><th>std</th><th>min</th><th>max</th></tr>${rows.join('')}</table>`,
      `<h2>Weights</h2><p>Blue negative, white zero, red positive (each tensor on its own scale, ±its largest |value|).</p><div class="heads">${r.tensors.map((t) => weightHeatmap(t.name, t.shape, values.get(t.name) ?? [], Math.max(-t.stats.min, t.stats.max))).join('')}</div>`,
      `<h2>Kernel pipeline</h2><table class="data"><tr><th class="t">operation</th><th class="t">kernel</th><th class="t">formula</th><th class="t">executable</th></tr>${pipeline.join('')}</table>`,
    ].join('\n'),
  );
}
