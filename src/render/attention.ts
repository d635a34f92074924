import type { AttentionReport } from '../explain/attention.js';
import type { DifferencesReport } from '../explain/differences.js';
import type { ArchitectureReport } from '../explain/architecture.js';
import type { InvariantResult } from '../explain/invariants.js';
import {
  heatmapLegend,
  renderHeatmap,
  sideBySide,
  thumbnailHidden,
  thumbnailLines,
  thumbnailRoom,
  type HeatmapOptions,
} from './heatmap.js';
import { visibleWidth } from './layout.js';
import { clip, renderMatrix, type Hidden } from './matrix.js';
import { headName, renderHeadSummary } from './heads.js';
import { fixed, safe, tokenText, type Style } from './style.js';

export function renderArchitecture(a: ArchitectureReport, s: Style): string {
  return [
    s.bold('Architecture') + ` (cf. \`microgpt explain --kernel ${safe(a.family)} -v\`):`,
    `  Attention type:     ${a.attentionType.toUpperCase()} (${a.attentionTitle})`,
    `  Heads:              ${a.heads}${a.kvHeads !== a.heads ? ` query, ${a.kvHeads} key/value (each K/V head shared by ${a.heads / a.kvHeads})` : ''}`,
    `  Head dim:           ${a.headDim}`,
    `  Total attn dim:     ${a.totalAttnDim} (${a.heads} × ${a.headDim})`,
    `  Scale factor:       1/√${a.headDim} = ${fixed(a.scale, 4)}`,
  ].join('\n');
}

export function renderEquation(r: { equation: string; equationTerms: string[] }, s: Style): string {
  return [
    'The attention mechanism computes:',
    '',
    `  ${s.cyan(r.equation)}`,
    '',
    ...r.equationTerms.map((t) => `  - ${t}`),
  ].join('\n');
}

export function renderTokens(r: AttentionReport): string {
  const tokens = `tokens [${r.tokens.map((t) => tokenText(t.label)).join(', ')}], ids [${r.tokens.map((t) => t.id).join(', ')}]`;
  // With --ids there is no text: the ids are the input.
  return r.text === '' ? `For the ids given (${tokens}):` : `For input "${safe(r.text)}" (${tokens}):`;
}

/** The compact view's picture: every head of a layer as a thumbnail, side by side, a band per layer. */
function renderGrid(r: AttentionReport, s: Style): string {
  const multi = r.model.layers > 1;
  const n = r.tokens.length;
  const columns = Math.min(n, thumbnailRoom(s.width));
  return [
    s.bold('Every head at a glance') +
      ` (row = query, column = key, one character per weight${columns < n ? `; keys ${thumbnailHidden(n, columns)} left out ("…")` : ''}):`,
    ...r.layers.map((l) => {
      const blocks = l.heads.map((h) =>
        thumbnailLines(
          headName(l.layer, h.head, multi),
          h.rows.map((row) => row.weights),
          s,
          columns,
        ),
      );
      const blockWidth = Math.max(columns, ...l.heads.map((h) => headName(l.layer, h.head, multi).length));
      return sideBySide(blocks, blockWidth, s.width);
    }),
  ].join('\n\n');
}

/** Columns a weight takes: "0.535". */
const WEIGHT_WIDTH = 5;
/** A row's token is cut to this many columns (the column headers carry the same tokens, cut to the cell). */
const ROW_TOKEN_WIDTH = 12;

/** The row labels of a matrix over these tokens: position and token, "12 ␣cat". */
function positionLabels(labels: readonly string[]): string[] {
  const digits = String(labels.length - 1).length;
  return labels.map((l, i) => `${String(i).padStart(digits)} ${clip(l, ROW_TOKEN_WIDTH)}`);
}

/** What a row says beside it: its reading, or in the compact view the key it attends to most. */
function rowNote(
  r: AttentionReport,
  row: AttentionReport['layers'][number]['heads'][number]['rows'][number],
  labels: readonly string[],
): string | null {
  if (!r.compact) return row.note === null ? null : safe(row.note);
  const top = row.top[0];
  return top ? `${clip(labels[top.pos]!, ROW_TOKEN_WIDTH)}@${top.pos} ${fixed(top.weight, 3)}` : null;
}

/** Each head's weights as a matrix (row = query, column = key), then with `heatmap` its picture. */
export function renderWeights(r: AttentionReport, s: Style, heatmap?: HeatmapOptions): string {
  const out: string[] = [];
  const multiLayer = r.model.layers > 1;
  const labels = r.tokens.map((t) => tokenText(t.label));
  const rowLabels = positionLabels(labels);
  const heads = r.layers.flatMap((l) => l.heads.map((head) => ({ layer: l.layer, head })));
  const notes = heads.map(({ head }) => head.rows.map((row) => rowNote(r, row, labels)));
  const noteWidth = Math.max(0, ...notes.flat().map((n) => (n === null ? 0 : visibleWidth(n))));
  let hidden: Hidden | null = null;
  heads.forEach(({ layer, head }, k) => {
    const name = `${multiLayer ? `Layer ${layer}, head` : 'Head'} ${head.head}`;
    const m = renderMatrix({
      headers: [labels],
      rows: head.rows.map((row, i) => ({
        label: rowLabels[row.pos]!,
        cells: (j) => (j > row.pos ? s.dim(fixed(row.weights[j]!, 3)) : fixed(row.weights[j]!, 3)),
        note: notes[k]![i],
      })),
      cellWidth: WEIGHT_WIDTH,
      width: s.width,
      paintNote: s.yellow,
      noteWidth,
    });
    hidden = m.hidden;
    out.push(s.bold(`${name}:`), ...m.lines);
    if (heatmap && !r.compact)
      out.push(
        '',
        renderHeatmap(
          `${name} heatmap (row = query position, column = key position):`,
          head.rows.map((row) => row.weights),
          labels,
          s,
          heatmap,
        ),
      );
    out.push('');
  });
  out.unshift(`Row = query position, column = key position${hidden ? elidedNote(hidden, r.tokens.length) : ''}.`, '');
  if (heatmap && r.compact) out.push(renderGrid(r, s));
  if (heatmap) out.push(heatmapLegend(s));
  return out.join('\n').trimEnd();
}

/** The line that says which keys the matrices leave out at this width, and where they all are. */
const elidedNote = (h: Hidden, n: number): string =>
  `; at this width each matrix shows ${n - h.count} of the ${n} keys, leaving out keys ${h.from}–${h.to} (the "…" column; --json and --html have every weight)`;

export function renderInvariants(invariants: InvariantResult[], s: Style): string {
  const lines = invariants.map((inv) => {
    const mark = inv.holds ? s.green('✓') : s.red('✗');
    const worst =
      inv.id === 'rowsum'
        ? ` (max |sum − 1| = ${inv.worst.deviation === 0 ? '0' : inv.worst.deviation.toExponential(1)})`
        : '';
    const where = inv.holds
      ? ''
      : s.red(
          ` — violated at layer ${inv.worst.layer}, head ${inv.worst.head}, row ${inv.worst.row}, column ${inv.worst.col} (off by ${inv.worst.deviation.toExponential(2)})`,
        );
    return `  ${mark} ${safe(inv.statement)} — ${safe(inv.reason)}${worst}${where}`;
  });
  return [
    s.bold('Structural invariants') + ' (checked on these weights; they hold for ANY initialization):',
    '',
    ...lines,
  ].join('\n');
}

export function renderDifferences(d: DifferencesReport, r: AttentionReport, s: Style): string {
  const out = [
    s.bold(`What ${safe(d.family)}'s tiny model does differently from microGPT:`),
    ...d.lines.map((l) => `  • ${safe(l)}`),
  ];
  if (d.alibi) {
    const labels = r.tokens.map((t) => tokenText(t.label));
    const rowLabels = positionLabels(labels);
    out.push(
      '',
      `ALiBi bias added to the scores (slopes ${d.alibi.slopes.map((m) => fixed(m, 4)).join(', ')}; · masked):`,
    );
    d.alibi.bias.forEach((rows, h) => {
      const cells = rows.map((row) => row.map((v) => (v === null ? '·' : fixed(v, 3))));
      const m = renderMatrix({
        headers: [labels],
        rows: cells.map((c, i) => ({ label: rowLabels[i]!, cells: c })),
        cellWidth: Math.max(WEIGHT_WIDTH, ...cells.flat().map((c) => c.length)),
        width: s.width,
        indent: 4,
      });
      out.push(`  head ${h}${m.hidden ? ` (keys ${m.hidden.from}–${m.hidden.to} left out: "…")` : ''}:`, ...m.lines);
    });
  }
  return out.join('\n');
}

/** The whole `explain --attention` output: numbers, and a heatmap per head. */
export function renderAttentionReport(r: AttentionReport, s: Style, heatmap: HeatmapOptions = { width: 80 }): string {
  const heads = r.headsShown;
  const shown =
    heads === r.model.layers * r.model.heads
      ? ''
      : ` (of ${r.model.layers * r.model.heads}; selected with --heads/--layer)`;
  return [
    renderArchitecture(r.architecture, s),
    ...(r.differences ? [renderDifferences(r.differences, r, s)] : []),
    renderEquation(r, s),
    `${renderTokens(r)}\nattention weights from ${safe(r.weightsFrom)}, ${heads} head${heads === 1 ? '' : 's'}${shown}${r.compact ? '; a long input, so each row ends with the key it attends to most (token@position weight), and the heads are drawn as thumbnails after the numbers' : ''}:`,
    renderWeights(r, s, heatmap),
    renderInvariants(r.invariants, s),
    ...(r.headSummary ? [renderHeadSummary(r.headSummary, s)] : []),
  ].join('\n\n');
}
