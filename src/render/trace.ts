import type { TraceReport } from '../explain/trace.js';
import { fixed, safe, tokenText, type Style } from './style.js';
import { indentedTable } from './table.js';
import { hookLabel } from './hook-labels.js';

export function renderTraceReport(r: TraceReport, s: Style): string {
  const stages = r.stages.map((st) => [
    `${safe(st.name)}\n${hookLabel(st.name)}`,
    `[${st.shape.join(', ')}]`,
    fixed(st.stats.l2, 3),
    `[${fixed(st.stats.min, 3)}, ${fixed(st.stats.max, 3)}]`,
    fixed(st.stats.mean, 4),
    st.sparsity === null ? '' : `${fixed(st.sparsity * 100, 1)}% zero`,
  ]);
  const preds = r.predictions.map((p) => [
    String(p.pos),
    tokenText(p.input),
    tokenText(p.target),
    fixed(p.pTarget, 4),
    p.top.map((t) => `${tokenText(t.label)} ${fixed(t.p, 3)}`).join(', '),
  ]);
  return [
    `${s.bold('Forward pass')} of "${safe(r.text)}" (tokens [${r.tokens.map((t) => tokenText(t.label)).join(', ')}]), weights from ${safe(r.weightsFrom)}:`,
    indentedTable(s, ['hook point', 'shape', 'L2 norm', 'range', 'mean', 'ReLU'], stages, [
      'left',
      'left',
      'right',
      'left',
      'right',
      'right',
    ]),
    s.bold('Predictions') + ` (target = ${safe(r.targets)}):`,
    indentedTable(s, ['pos', 'input', 'target', 'P(target)', 'top 3'], preds, [
      'right',
      'left',
      'left',
      'right',
      'left',
    ]),
    `Loss of this ${safe(r.unit)} (mean −ln P(target)): ${fixed(r.loss, 4)}`,
    ...(r.lens ? [renderLens(r, s)] : []),
  ].join('\n\n');
}

/** The logit lens: per position, the top token after each stage, then P(target) after each stage. */
function renderLens(r: TraceReport, s: Style): string {
  const lens = r.lens!;
  const head = ['pos', 'input → target', ...lens.map((l) => safe(l.after))];
  const row = (pos: number, cell: (l: (typeof lens)[number]) => string) => [
    String(pos),
    `${tokenText(r.predictions[pos]!.input)} → ${tokenText(r.predictions[pos]!.target)}`,
    ...lens.map(cell),
  ];
  const positions = r.predictions.map((p) => p.pos);
  return [
    s.bold('Logit lens') +
      ' (the residual stream after each stage, read out through the final norm and output head: the top token and its P):',
    indentedTable(
      s,
      head,
      positions.map((pos) =>
        row(pos, (l) => `${tokenText(l.positions[pos]!.top[0]!.label)} ${fixed(l.positions[pos]!.top[0]!.p, 2)}`),
      ),
    ),
    s.bold('P(target) after each stage:'),
    indentedTable(
      s,
      head,
      positions.map((pos) => row(pos, (l) => fixed(l.positions[pos]!.pTarget, 3))),
    ),
  ].join('\n\n');
}
