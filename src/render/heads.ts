import type { HeadSummary } from '../explain/heads.js';
import { fixed, type Style } from './style.js';
import { indent, indentedTable, table } from './table.js';

export function renderHeadSummary(summary: { probeSize: number; heads: HeadSummary[] }, s: Style): string {
  const multi = summary.heads.some((h) => h.layer > 0);
  const rows = summary.heads.map((h) => [
    multi ? `${h.layer}.${h.head}` : String(h.head),
    fixed(h.previous, 2),
    fixed(h.self, 2),
    fixed(h.bos, 2),
    fixed(h.entropy, 2),
  ]);
  const lines = summary.heads.map((h) =>
    h.label === 'broad'
      ? `  head ${multi ? `${h.layer}.${h.head}` : h.head}: broad head, entropy ${fixed(h.score, 2)}`
      : `  head ${multi ? `${h.layer}.${h.head}` : h.head}: ${h.label} head, ${fixed(h.score, 2)}`,
  );
  return [
    s.bold('Head specialisation') +
      ` (mean weight over ${summary.probeSize} corpus names, positions ≥ 2; uniform attention would give ${fixed(summary.heads[0]?.chance ?? 0, 2)}; entropy 1 = uniform):`,
    indentedTable(s, ['head', '→ prev', '→ self', '→ BOS', 'entropy'], rows, [
      'left',
      'right',
      'right',
      'right',
      'right',
    ]),
    ...lines,
  ].join('\n');
}
