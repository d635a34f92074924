/** inspect --html: the architecture, every tensor's statistics and its weights as a canvas, the kernel pipeline. */
import type { InspectReport } from '../../explain/inspect.js';
import { diverging } from '../colors.js';
import { fixed, grouped } from '../style.js';
import { escapeHtml as e, page } from './page.js';
import { architectureHtml } from './sections.js';

/** Cell size of a weight map, in CSS pixels. */
const WEIGHT_CELL = 8;

const STYLE = `
.maps{display:flex;flex-wrap:wrap;gap:1.2rem;align-items:flex-start}
.maps figure{margin:0}.maps figcaption{font-size:12px;margin-bottom:2px}
canvas.weights{display:block;image-rendering:pixelated;cursor:crosshair}
`;

const SCRIPT = `
(() => {
  const hover = document.getElementById('hover');
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
})();
`;

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
  const data = e(JSON.stringify({ name, rows, cols, hex, values }));
  return `<figure><figcaption class="mono">${e(name)} [${shape.join(', ')}]</figcaption><canvas class="weights" width="${cols! * WEIGHT_CELL}" height="${rows! * WEIGHT_CELL}" data-cell="${WEIGHT_CELL}" data-weights="${data}"></canvas></figure>`;
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
      `<h2>Weights</h2><p>Blue negative, white zero, red positive (each tensor on its own scale, ±its largest |value|).</p><div class="maps">${r.tensors.map((t) => weightHeatmap(t.name, t.shape, values.get(t.name) ?? [], Math.max(-t.stats.min, t.stats.max))).join('')}</div>`,
      `<h2>Kernel pipeline</h2><table class="data"><tr><th class="t">operation</th><th class="t">kernel</th><th class="t">formula</th><th class="t">executable</th></tr>${pipeline.join('')}</table>`,
    ].join('\n'),
    { hover: 'Point at a weight map to read a value.', style: STYLE, script: SCRIPT },
  );
}
