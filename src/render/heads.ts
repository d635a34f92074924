import type { HeadSummary, HeadSummaryReport } from '../explain/heads.js';
import { fixed, type Style } from './style.js';
import { indentedTable } from './table.js';

/** "L0 H1" in a model with several layers, "head 1" in a one-layer model. */
export const headName = (layer: number, head: number, multiLayer: boolean): string =>
  multiLayer ? `L${layer} H${head}` : `head ${head}`;

/** "previous-token head, 0.36", or "broad head, entropy 0.91". */
export const headVerdict = (h: HeadSummary): string =>
  h.label === 'broad' ? `broad head, entropy ${fixed(h.score, 2)}` : `${h.label} head, ${fixed(h.score, 2)}`;

export function renderHeadSummary(summary: HeadSummaryReport, s: Style): string {
  const multi = summary.heads.some((h) => h.layer > 0);
  const rows = summary.heads.map((h) => [
    headName(h.layer, h.head, multi),
    fixed(h.previous, 2),
    fixed(h.self, 2),
    fixed(h.bos, 2),
    fixed(h.entropy, 2),
  ]);
  return [
    s.bold('Head specialisation') +
      ` (mean weight over ${summary.probeSize} corpus names, positions ≥ ${summary.fromPosition}; uniform attention would give ${fixed(summary.heads[0]?.chance ?? 0, 2)}, and a head is named for a target given ${summary.lift}× that; entropy 1 = uniform):`,
    indentedTable(s, ['head', '→ prev', '→ self', '→ BOS', 'entropy'], rows, [
      'left',
      'right',
      'right',
      'right',
      'right',
    ]),
    ...summary.heads.map((h) => `  ${headName(h.layer, h.head, multi)}: ${headVerdict(h)}`),
  ].join('\n');
}
