/** inspect --html: the architecture, every tensor's statistics and its weights as a canvas, the kernel pipeline. */
import type { InspectReport } from '../../explain/inspect.js';
import { diverging } from '../colors.js';
import { fixed, grouped } from '../style.js';
import { LEVELS } from './model-view.js';
import { escapeHtml as e, jsonScript, page } from './page.js';
import { architectureHtml } from './sections.js';

/** Largest cell of a weight map, and the widest and tallest a map may be, in CSS pixels. */
const CELL = 8;
const MAP_SIDE = 512;

const STYLE = `
.maps{display:flex;flex-wrap:wrap;gap:1.2rem;align-items:flex-start}
.maps figure{margin:0}.maps figcaption{font-size:12px;margin-bottom:2px}
canvas.weights{display:block;image-rendering:pixelated;cursor:crosshair}
`;

/**
 * Draws each weight map from its tensor's values (float32 or float64, base64)
 * through the 256-colour diverging palette, and reads the stored value under the pointer.
 */
const SCRIPT = `
(() => {
  const D = JSON.parse(document.getElementById('weights-data').textContent);
  const hover = document.getElementById('hover');
  const byte = (at) => parseInt(D.palette.slice(at, at + 2), 16);
  const palette = Uint8Array.from({ length: D.palette.length / 2 }, (_, i) => byte(2 * i));
  const top = palette.length / 3 - 1;
  /** The shortest decimal that reads back as the same float32 (or the float64 as JavaScript prints it). */
  const show = (v, f32) => {
    if (!f32) return String(v);
    for (let p = 1; p < 10; p++) if (Math.fround(Number(v.toPrecision(p))) === v) return String(Number(v.toPrecision(p)));
    return String(v);
  };
  D.tensors.forEach((t, n) => {
    const raw = atob(t.data);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    const values = t.f32 ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
    const canvas = document.querySelector('canvas.weights[data-n="' + n + '"]');
    const img = new ImageData(t.cols, t.rows);
    values.forEach((v, k) => {
      const level = t.maxAbs > 0 ? Math.round(((v / t.maxAbs + 1) * top) / 2) : Math.round(top / 2);
      const c = 3 * Math.min(top, Math.max(0, level));
      img.data.set([palette[c], palette[c + 1], palette[c + 2], 255], 4 * k);
    });
    canvas.getContext('2d').putImageData(img, 0, 0);
    canvas.addEventListener('mousemove', (ev) => {
      const r = canvas.getBoundingClientRect();
      const i = Math.floor(((ev.clientY - r.top) * t.rows) / r.height);
      const j = Math.floor(((ev.clientX - r.left) * t.cols) / r.width);
      if (i >= 0 && j >= 0 && i < t.rows && j < t.cols)
        hover.textContent = t.name + '[' + i + ', ' + j + '] = ' + show(values[i * t.cols + j], t.f32);
    });
  });
})();
`;

const hex = (rgb: readonly number[]): string => rgb.map((c) => c.toString(16).padStart(2, '0')).join('');

/** The weights' bytes, little-endian: float32 when every value is one (a checkpoint's usual dtype, exact), else float64. */
function packValues(values: readonly number[]): { f32: boolean; data: string } {
  const f32 = values.every((v) => Math.fround(v) === v);
  const array = f32 ? Float32Array.from(values) : Float64Array.from(values);
  return { f32, data: Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64') };
}

/**
 * Every tensor as a canvas: its values as float32 (or float64) bytes, drawn in
 * a diverging scale (blue negative, red positive) by the page's script — about
 * 5.4 bytes a weight, where a table cell took 150 and a hex colour plus its
 * decimal 25.
 */
function weightMaps(r: InspectReport, values: ReadonlyMap<string, readonly number[]>): string {
  const tensors = r.tensors.map((t) => {
    const v = values.get(t.name) ?? [];
    const [rows, cols] = t.shape.length === 2 ? t.shape : [1, v.length];
    return { name: t.name, rows: rows!, cols: cols!, maxAbs: Math.max(-t.stats.min, t.stats.max), ...packValues(v) };
  });
  const figures = tensors.map((t, n) => {
    const cell = Math.max(1, Math.min(CELL, Math.floor(MAP_SIDE / Math.max(t.rows, t.cols))));
    return `<figure><figcaption class="mono">${e(t.name)} [${r.tensors[n]!.shape.join(', ')}]</figcaption><canvas class="weights" data-n="${n}" width="${t.cols}" height="${t.rows}" style="width:${t.cols * cell}px;height:${t.rows * cell}px"></canvas></figure>`;
  });
  const palette = Array.from({ length: LEVELS + 1 }, (_, k) => hex(diverging(2 * k - LEVELS, LEVELS))).join('');
  return `<div class="maps">${figures.join('')}</div>${jsonScript('weights-data', { palette, tensors })}`;
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
      `<h2>Weights</h2><p>Blue negative, white zero, red positive (each tensor on its own scale, ±its largest |value|); the value under the pointer is the stored one.</p>${weightMaps(r, values)}`,
      `<h2>Kernel pipeline</h2><table class="data"><tr><th class="t">operation</th><th class="t">kernel</th><th class="t">formula</th><th class="t">executable</th></tr>${pipeline.join('')}</table>`,
    ].join('\n'),
    { hover: 'Point at a weight map to read a value.', style: STYLE, script: SCRIPT },
  );
}
