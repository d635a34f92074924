import type { CacheReport } from '../explain/cache.js';
import { counted, safe, tokenText, type Style } from './style.js';
import { indentedTable } from './table.js';
import { binarySize, bytesWithSize } from './bytes.js';

export function renderCacheReport(r: CacheReport, s: Style): string {
  const rows = r.points.map((p) => [
    safe(p.name),
    p.shape ? `[${p.shape.join(', ')}]` : `[${p.axes.join(', ')}]`,
    p.bytes === null ? '' : binarySize(p.bytes),
  ]);
  const input = r.tokens.length
    ? `on ${counted(r.tokens.length, 'token')} [${r.tokens.map((t) => tokenText(t.label)).join(', ')}]`
    : 'shapes by axis (give TEXT or --ids for sizes)';
  return [
    `${s.bold('Hook points')} of ${safe(r.family)} (weights: ${safe(r.weightsFrom)}), ${input}:`,
    indentedTable(s, ['hook name', 'shape', 'bytes'], rows, ['left', 'left', 'right']),
    `${counted(r.points.length, 'hook point')}${r.bytes === null ? '' : `, ${bytesWithSize(r.bytes)} as float32`}${r.out ? `; written to ${safe(r.out)}` : ''}`,
  ].join('\n\n');
}
