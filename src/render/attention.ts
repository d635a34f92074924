import type { AttentionReport } from '../explain/attention.js';
import type { DifferencesReport } from '../explain/differences.js';
import type { ArchitectureReport } from '../explain/architecture.js';
import type { InvariantResult } from '../explain/invariants.js';
import { heatmapLegend, renderHeatmap, sideBySide, thumbnailLines, type HeatmapOptions } from './heatmap.js';
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
  return `For input "${safe(r.text)}" (tokens [${r.tokens.map((t) => tokenText(t.label)).join(', ')}], ids [${r.tokens.map((t) => t.id).join(', ')}]):`;
}

/** The compact view's picture: every head of a layer as a thumbnail, side by side, a band per layer. */
function renderGrid(r: AttentionReport, s: Style): string {
  const multi = r.model.layers > 1;
  const n = r.tokens.length;
  return [
    s.bold('Every head at a glance') + ' (row = query, column = key, one character per weight):',
    ...r.layers.map((l) => {
      const blocks = l.heads.map((h) =>
        thumbnailLines(
          headName(l.layer, h.head, multi),
          h.rows.map((row) => row.weights),
          s,
        ),
      );
      const blockWidth = Math.max(n, ...l.heads.map((h) => headName(l.layer, h.head, multi).length));
      return sideBySide(blocks, blockWidth, s.width);
    }),
  ].join('\n\n');
}

/** With `heatmap`, each head's rows of numbers are followed by its picture. */
export function renderWeights(r: AttentionReport, s: Style, heatmap?: HeatmapOptions): string {
  const out: string[] = [];
  const multiLayer = r.model.layers > 1;
  const labels = r.tokens.map((t) => tokenText(t.label));
  for (const layer of r.layers) {
    for (const head of layer.heads) {
      const name = `${multiLayer ? `Layer ${layer.layer}, head` : 'Head'} ${head.head}`;
      out.push(s.bold(`${name}:`));
      if (r.compact) {
        for (const row of head.rows)
          out.push(
            `  ${String(row.pos).padStart(3)} ${labels[row.pos]} → ${row.top.map((k) => `${labels[k.pos]}@${k.pos} ${fixed(k.weight, 2)}`).join(', ')}`,
          );
        out.push('');
        continue;
      }
      for (const row of head.rows) {
        const cells = row.weights.map((w, j) => (j > row.pos ? s.dim(fixed(w, 3)) : fixed(w, 3))).join(', ');
        const line = `  pos ${row.pos} → [${cells}]`;
        out.push(row.note ? `${line}   ${s.yellow('← ' + safe(row.note))}` : line);
      }
      if (heatmap)
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
    }
  }
  if (heatmap && r.compact) out.push(renderGrid(r, s));
  if (heatmap) out.push(heatmapLegend(s));
  return out.join('\n').trimEnd();
}

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
    const labels = r.tokens.map((t) => safe(t.label));
    out.push('', `ALiBi bias added to the scores (slopes ${d.alibi.slopes.map((m) => fixed(m, 4)).join(', ')}):`);
    d.alibi.bias.forEach((rows, h) => {
      out.push(`  head ${h}:`);
      rows.forEach((row, i) =>
        out.push(
          `    ${labels[i].padEnd(4)} [${row.map((v) => (v === null ? '   ·  ' : fixed(v, 3).padStart(6))).join(', ')}]`,
        ),
      );
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
    `${renderTokens(r)}\nattention weights from ${safe(r.weightsFrom)}, ${heads} head${heads === 1 ? '' : 's'}${shown}${r.compact ? `; a long input, so each query shows its ${r.layers[0]?.heads[0]?.rows.at(-1)?.top.length ?? 0} strongest keys as token@position weight (--json has every weight)` : ''}:`,
    renderWeights(r, s, heatmap),
    renderInvariants(r.invariants, s),
    ...(r.headSummary ? [renderHeadSummary(r.headSummary, s)] : []),
  ].join('\n\n');
}
