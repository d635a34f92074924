import { parseHook } from '../engine/hooks.js';
import type { TraceReport } from '../explain/trace.js';
import { columns, type Align } from './columns.js';
import { pointLabel } from './hook-labels.js';
import { visibleWidth } from './layout.js';
import { clip, padEndVisible, padStartVisible, renderMatrix, type Hidden } from './matrix.js';
import { probability } from './numbers.js';
import { fixed, grouped, safe, tokenText, type Style } from './style.js';

/** Tokens are cut to this many columns in a row label or a cell. */
const TOKEN_WIDTH = 10;

export function renderTraceReport(r: TraceReport, s: Style): string {
  return [
    `${s.bold('Forward pass')} of ${r.text === '' ? 'the ids given' : `"${safe(r.text)}"`} (tokens [${r.tokens.map((t) => tokenText(t.label)).join(', ')}]), weights from ${safe(r.weightsFrom)}:`,
    renderStages(r, s),
    renderPredictions(r, s),
    `Loss of this ${safe(r.unit)}: ${s.bold(fixed(r.loss, 4))} nats (mean −ln P(target) per predicted token, as eval computes it)`,
    ...(r.lens ? [renderLens(r, s)] : []),
    ...(r.interrupted ? [s.yellow('Interrupted (Ctrl-C): the logit lens holds the stages read out before it.')] : []),
  ].join('\n\n');
}

type Stage = TraceReport['stages'][number];

/** A stage's group: the layer it is in, or before / after the blocks. */
const groupOf = (name: string, seenBlock: boolean): string => {
  const h = parseHook(name);
  if (h?.layer !== null && h?.layer !== undefined) return `layer ${h.layer} (blocks.${h.layer}.*):`;
  return seenBlock ? 'after the blocks:' : 'before the blocks:';
};

/** Within a layer a point is named without its "blocks.L." (the group heading says it). */
const shortName = (name: string): string => {
  const h = parseHook(name);
  return h && h.layer !== null ? h.point : safe(name);
};

/** What each hook point listed is, once per point (not once per layer). */
function renderLegend(stages: readonly Stage[]): string[] {
  const seen = new Map<string, string>();
  for (const st of stages) {
    const h = parseHook(st.name);
    if (h && !seen.has(h.point)) seen.set(h.point, pointLabel(h.point));
  }
  const width = Math.max(...[...seen.keys()].map((k) => k.length));
  return [...seen].map(([point, label]) => `  ${point.padEnd(width)}  ${label}`);
}

/**
 * Every hook point's statistics, grouped by layer: one line per point when it
 * fits the width, else the name on one line and the numbers under it. The
 * zeros column (ReLU sparsity) is there only when the model's MLP is a ReLU.
 */
function renderStages(r: TraceReport, s: Style): string {
  const relu = r.stages.some((st) => st.sparsity !== null);
  const head = ['shape', 'L2 norm', 'min', 'max', 'mean', ...(relu ? ['zeros'] : [])];
  const numbers = r.stages.map((st) => [
    `[${st.shape.join(', ')}]`,
    fixed(st.stats.l2, 3),
    fixed(st.stats.min, 3),
    fixed(st.stats.max, 3),
    fixed(st.stats.mean, 4),
    ...(relu ? [st.sparsity === null ? '' : `${fixed(st.sparsity * 100, 1)}%`] : []),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...numbers.map((row) => visibleWidth(row[i]!))));
  const cells = (row: readonly string[]) =>
    row.map((c, i) => (i === 0 ? padEndVisible(c, widths[i]!) : padStartVisible(c, widths[i]!))).join('  ');
  const names = r.stages.map((st) => shortName(st.name));
  const nameWidth = Math.max('hook point'.length, ...names.map((n) => n.length));
  const oneLine = 4 + nameWidth + 2 + visibleWidth(cells(head)) <= s.width;
  const line = (name: string, row: readonly string[]) =>
    oneLine
      ? [`    ${name.padEnd(nameWidth)}  ${cells(row)}`.trimEnd()]
      : [`    ${name}`, `        ${cells(row)}`.trimEnd()];
  const out = [...line('hook point', head).map((l) => s.bold(l))];
  let group = '';
  let seenBlock = false;
  r.stages.forEach((st, i) => {
    const g = groupOf(st.name, seenBlock);
    seenBlock ||= g.startsWith('layer');
    if (g !== group) out.push(`  ${s.bold(g)}`);
    group = g;
    out.push(...line(names[i]!, numbers[i]!));
  });
  return [
    `${s.bold('Hook points')} (TransformerLens names; in layer L each is blocks.L.<point>; --names GLOB picks some, e.g. 'blocks.0.attn.*'):`,
    ...renderLegend(r.stages),
    '',
    `Each activation's shape, L2 norm, min, max and mean${relu ? ', and the share of exact zeros after the ReLU' : ''}:`,
    ...out,
  ].join('\n');
}

/** The target's columns, blank where a position has none. */
const targetCells = (p: { target: string | null; pTarget: number | null; targetRank: number | null }) =>
  p.target === null
    ? ['', '', '']
    : [clip(tokenText(p.target), TOKEN_WIDTH), probability(p.pTarget!), grouped(p.targetRank!)];

function renderPredictions(r: TraceReport, s: Style): string {
  const align: Align[] = ['right', 'left', 'left', 'right', 'right', 'left'];
  return [
    s.bold('Predictions') + ` (target = ${safe(r.targets)}; rank 1 = the likeliest of the ${grouped(r.vocab)} tokens):`,
    ...columns(
      ['pos', 'input', 'target', 'P(target)', 'rank', `top ${r.predictions[0]?.top.length ?? 0}`],
      r.predictions.map((p) => ({
        cells: [String(p.pos), clip(tokenText(p.input), TOKEN_WIDTH), ...targetCells(p)],
        items: p.top.map((t) => `${clip(tokenText(t.label), TOKEN_WIDTH)} ${probability(t.p)}`),
      })),
      align,
      s.width,
      { bold: s.bold },
    ),
  ].join('\n');
}

/** "emb", "L0" … : the lens stages as column headings. */
const stageHeading = (after: string): string => (after === 'embedding' ? 'emb' : after.replace('layer ', 'L'));

const leftOut = (h: Hidden | null, stages: readonly string[]) =>
  h ? ` (${stages[h.from]}–${stages[h.to]} left out at this width: "…")` : '';

/** The logit lens: per position, after each stage, the top token, P(target) and the target's rank. */
function renderLens(r: TraceReport, s: Style): string {
  const lens = r.lens!;
  const stages = lens.map((l) => stageHeading(l.after));
  const labels = r.predictions.map(
    (p) =>
      `${String(p.pos).padStart(String(r.predictions.length - 1).length)} ${clip(tokenText(p.input), TOKEN_WIDTH)} → ${p.target === null ? '?' : clip(tokenText(p.target), TOKEN_WIDTH)}`,
  );
  const matrix = (title: string, cell: (l: (typeof lens)[number], pos: number) => string) => {
    const cells = labels.map((_, pos) => lens.map((l) => cell(l, pos)));
    const cellWidth = Math.max(3, ...cells.flat().map(visibleWidth));
    const m = renderMatrix({
      headers: [stages],
      rows: labels.map((label, pos) => ({ label, cells: cells[pos]! })),
      cellWidth,
      width: s.width,
    });
    return [s.bold(title) + leftOut(m.hidden, stages) + ':', ...m.lines].join('\n');
  };
  const at = (l: (typeof lens)[number], pos: number) => l.positions[pos]!;
  return [
    `${s.bold('Logit lens')}: the residual stream after the embedding (emb) and after each layer (L0 …), read out through the final norm and output head as if the model stopped there; rows are positions (input → target, ? where there is none).`,
    matrix('Top token', (l, pos) => clip(tokenText(at(l, pos).top[0]!.label), TOKEN_WIDTH)),
    matrix('P(target)', (l, pos) => (at(l, pos).pTarget === null ? '' : probability(at(l, pos).pTarget!))),
    matrix(`Rank of the target (1 = top of ${grouped(r.vocab)})`, (l, pos) =>
      at(l, pos).targetRank === null ? '' : grouped(at(l, pos).targetRank!),
    ),
  ].join('\n\n');
}
