import type { HeadSummary, HeadSummaryReport } from '../explain/heads.js';
import type { HeadsReport } from '../explain/detectors.js';
import { counted, fixed, safe, type Style } from './style.js';
import { indentedTable } from './table.js';

/** "L0 H1" in a model with several layers, "head 1" in a one-layer model. */
export const headName = (layer: number, head: number, multiLayer: boolean): string =>
  multiLayer ? `L${layer} H${head}` : `head ${head}`;

/** "previous-token head" with its score, or "broad head" with its entropy, two decimals each. */
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

const DETECTOR_KEYS = {
  'previous-token': 'previous',
  'duplicate-token': 'duplicate',
  induction: 'induction',
  'first-token': 'firstToken',
} as const;

/** explain --heads: every detector as a layer × head grid, then the top heads of each. */
export function renderHeadsReport(r: HeadsReport, s: Style): string {
  const multi = r.layers > 1;
  const first = r.input.first;
  const grids = r.detectors.map((d) => {
    const key = DETECTOR_KEYS[d.name];
    const rows = Array.from({ length: r.layers }, (_, l) => [
      `L${l}`,
      ...r.scores.filter((x) => x.layer === l).map((x) => fixed(x[key], 2)),
    ]);
    return [
      `${s.bold(d.name)}: ${d.definition}`,
      indentedTable(s, ['layer', ...Array.from({ length: r.heads }, (_, h) => `H${h}`)], rows, [
        'left',
        ...Array.from({ length: r.heads }, () => 'right' as const),
      ]),
    ].join('\n');
  });
  return [
    `${s.bold('Head detectors')} on ${safe(r.weightsFrom)} (${safe(r.family)}, ${counted(r.layers, 'layer')} × ${counted(r.heads, 'head')})`,
    `Input: ${r.input.sequences} sequences of ${r.input.bos === null ? '' : `[${r.input.bos}] + `}${r.input.half} random token ids, then the same ${r.input.half} again (seed ${r.input.seed}); the first: [${first.join(', ')}]`,
    `Scoring: ${r.scoring}`,
    ...grids,
    [
      s.bold('Top heads:'),
      ...r.top.map(
        (t) =>
          `  ${t.detector}: ${t.heads.map((h) => `${headName(h.layer, h.head, multi)} ${fixed(h.score, 2)}`).join(', ')}`,
      ),
    ].join('\n'),
  ].join('\n\n');
}
