import type { InspectReport } from '../explain/inspect.js';
import { renderArchitecture } from './attention.js';
import { renderPipeline } from './kernel.js';
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
      (r.training ? `\n  training: ${safe(JSON.stringify(r.training))}` : ''),
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
      `\n  total: ${grouped(r.parameterCount)} parameters`,
    renderPipeline({ pipeline: r.pipeline }, s),
  ].join('\n\n');
}
