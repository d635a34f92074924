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

/**
 * How a score in [0, 1] is written in one cell of the layer × head grid, from
 * the widest that fits: the score in hundredths, rounded, or its tenths
 * rounded down as one digit ("·" for none) with a space, or without one.
 * Each legend is made from the same functions, on an example score.
 */
interface CellFormat {
  width: number;
  gap: string;
  text: (score: number) => string;
  legend: string;
}

const HUNDREDTHS = 100,
  TENTH = 10;
/** The score the legends use as their example. */
const EXAMPLE = 37 / HUNDREDTHS;

const hundredths = (x: number) => String(Math.round(x * HUNDREDTHS)).padStart(3);
const PERCENT: CellFormat = {
  width: 3,
  gap: ' ',
  text: hundredths,
  legend: `Each cell is a head's score × ${HUNDREDTHS}, rounded (${hundredths(EXAMPLE).trim()} = ${fixed(EXAMPLE, 2)}).`,
};
const tenths = (x: number) => {
  const d = Math.min(TENTH - 1, Math.floor(x * TENTH));
  return d === 0 ? '·' : String(d);
};
const TENTHS = (gap: string): CellFormat => ({
  width: 1,
  gap,
  text: tenths,
  legend: `Each cell is a head's score in tenths, rounded down (${tenths(EXAMPLE)} = ${fixed(Math.floor(EXAMPLE * TENTH) / TENTH, 2)} to ${fixed((Math.floor(EXAMPLE * TENTH) + 1) / TENTH - 1 / HUNDREDTHS, 2)}, ${TENTH - 1} = ${fixed((TENTH - 1) / TENTH, 2)} or more; ${tenths(0)} below ${fixed(1 / TENTH, 2)}).`,
});

/** Layer labels ("L11") and the grid's indent. */
const layerLabel = (l: number, width: number) => `L${l}`.padEnd(width);

/** The first cell format whose grid fits `width` columns. */
function cellFormat(heads: number, labelWidth: number, width: number): CellFormat {
  const fits = (f: CellFormat) => 2 + labelWidth + heads * (f.width + f.gap.length) <= width;
  return [PERCENT, TENTHS(' ')].find(fits) ?? TENTHS('');
}

/** Head numbers over the columns: one line when they are single digits or the cells are wide, else tens over units. */
function headHeader(heads: number, f: CellFormat, lead: string): string[] {
  const col = (text: string) => text.padStart(f.width) + f.gap;
  if (f.width >= 2 || heads <= 10)
    return [(lead + Array.from({ length: heads }, (_, h) => col(String(h))).join('')).trimEnd()];
  const digit = (h: number, place: number) => (h < place ? ' ' : String(Math.floor(h / place) % 10));
  return [10, 1].map((place) =>
    (
      lead + Array.from({ length: heads }, (_, h) => col(place === 1 ? String(h % 10) : digit(h, 10))).join('')
    ).trimEnd(),
  );
}

/** explain --detect: every detector as a compact layer × head grid, then the top heads of each. */
export function renderHeadsReport(r: HeadsReport, s: Style): string {
  const multi = r.layers > 1;
  const first = r.input.first;
  const labelWidth = `L${r.layers - 1}`.length + 1;
  const f = cellFormat(r.heads, labelWidth, s.width);
  const lead = ' '.repeat(2 + labelWidth);
  const grids = r.detectors.map((d) => {
    const key = DETECTOR_KEYS[d.name];
    const rows = Array.from({ length: r.layers }, (_, l) =>
      `  ${layerLabel(l, labelWidth)}${r.scores
        .filter((x) => x.layer === l)
        .map((x) => f.text(x[key]) + f.gap)
        .join('')}`.trimEnd(),
    );
    return [`${s.bold(d.name)}: ${d.definition}`, ...headHeader(r.heads, f, lead), ...rows].join('\n');
  });
  return [
    `${s.bold('Head detectors')} on ${safe(r.weightsFrom)} (${safe(r.family)}, ${counted(r.layers, 'layer')} × ${counted(r.heads, 'head')})`,
    `Input: ${r.input.sequences} sequences of ${r.input.bos === null ? '' : `[${r.input.bos}] + `}${r.input.half} random token ids, then the same ${r.input.half} again (seed ${r.input.seed}); the first: [${first.join(', ')}]`,
    `Scoring: ${r.scoring}`,
    `Rows are layers, columns heads. ${f.legend} --json has every score in full.`,
    ...grids,
    [
      s.bold('Top heads:'),
      ...r.top.map(
        (t) =>
          `  ${t.detector}: ${t.heads.map((h) => `${headName(h.layer, h.head, multi)} ${fixed(h.score, 2)}`).join(', ')}`,
      ),
    ].join('\n'),
    ...(r.interrupted
      ? [s.yellow(`Interrupted (Ctrl-C): the scores are means over the ${r.input.sequences} sequences finished.`)]
      : []),
  ].join('\n\n');
}
