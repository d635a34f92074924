import type { InspectReport } from '../explain/inspect.js';
import { renderArchitecture } from './attention.js';
import { renderPipeline } from './kernel.js';
import { nonFiniteLine } from './stats-line.js';
import { fixed, grouped, safe, type Style } from './style.js';
import { indent, indentedTable, table } from './table.js';

export function renderInspectReport(r: InspectReport, s: Style): string {
  const rows = r.tensors.map((t) => [
    safe(t.name),
    safe(t.role),
    `[${t.shape.join(', ')}]`,
    grouped(t.stats.count),
    fixed(t.stats.mean, 4),
    fixed(t.stats.std, 4),
    fixed(t.stats.min, 4),
    fixed(t.stats.max, 4),
  ]);
  return [
    `${s.bold('Model')}: ${safe(r.family)}, weights from ${safe(r.weightsFrom)}` +
      (r.training ? `\n  training:\n${keyValues(r.training)}` : ''),
    renderArchitecture(r.architecture, s),
    s.bold('Tensors:') +
      '\n' +
      indentedTable(s, ['name', 'role', 'shape', 'count', 'mean', 'std', 'min', 'max'], rows, [
        'left',
        'left',
        'left',
        'right',
        'right',
        'right',
        'right',
        'right',
      ]) +
      `\n  total: ${grouped(r.parameterCount)} parameters` +
      r.tensors
        .flatMap((t) => nonFiniteLine(t.name, t.stats, r.weightsFrom, s))
        .map((l) => `\n${l}`)
        .join(''),
    renderPipeline({ pipeline: r.pipeline }, s),
  ].join('\n\n');
}

/** Metadata as aligned `key  value` lines (strings as they are, anything else as JSON), never raw JSON broken mid-word. */
function keyValues(entries: Record<string, unknown>): string {
  const rows = Object.entries(entries).map(([k, v]) => [safe(k), safe(typeof v === 'string' ? v : JSON.stringify(v))]);
  const width = rows.reduce((w, [k]) => Math.max(w, [...k!].length), 0);
  return rows.map(([k, v]) => `    ${k!.padEnd(width)}  ${v}`).join('\n');
}
