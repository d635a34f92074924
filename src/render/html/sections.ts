/** Parts shared by the attention pages: the architecture, the invariants, the causal mask, the head summary. */
import type { ArchitectureReport } from '../../explain/architecture.js';
import type { HeadSummaryReport } from '../../explain/heads.js';
import type { InvariantResult } from '../../explain/invariants.js';
import type { MaskReport } from '../../explain/mask.js';
import { headName, headVerdict } from '../heads.js';
import { maskNumber } from '../mask.js';
import { fixed, grouped } from '../style.js';
import { escapeHtml as e } from './page.js';

export function architectureHtml(a: ArchitectureReport): string {
  const rows: Array<[string, string]> = [
    ['Attention type', `${a.attentionType.toUpperCase()} (${a.attentionTitle})`],
    ['Heads', String(a.heads)],
    ['Head dim', String(a.headDim)],
    ['Total attn dim', `${a.totalAttnDim} (${a.heads} × ${a.headDim})`],
    ['Scale factor', `1/√${a.headDim} = ${fixed(a.scale, 4)}`],
    ['Layers / n_embd / context / vocab', `${a.layers} / ${a.nEmbd} / ${a.blockSize} / ${a.vocabSize}`],
    ['Parameters', grouped(a.parameters)],
  ];
  return `<h2>Architecture</h2><table class="kv">${rows.map(([k, v]) => `<tr><td>${e(k)}</td><td class="mono">${e(v)}</td></tr>`).join('')}</table>`;
}

export function invariantsHtml(invariants: readonly InvariantResult[]): string {
  const items = invariants.map(
    (i) =>
      `<li class="${i.holds ? 'ok' : 'bad'}">${i.holds ? '✓' : '✗'} ${e(i.statement)} — ${e(i.reason)} (worst deviation ${i.worst.deviation === 0 ? '0' : i.worst.deviation.toExponential(2)})</li>`,
  );
  return `<h2>Structural invariants (checked on these weights)</h2><ul class="invariants">${items.join('')}</ul>`;
}

/** Positions of the mask drawn as a table; a longer input shows its top-left corner (the pattern is the same). */
const MASK_SHOWN = 16;
const MASK_CORNER = 8;

export function maskHtml(m: MaskReport): string {
  const mask = maskNumber(m.maskValue);
  const n = m.len <= MASK_SHOWN ? m.len : MASK_CORNER;
  const rows = m.reference.grid.slice(0, n).map(
    (row, i) =>
      `<tr><th>pos ${i}</th>${row
        .slice(0, n)
        .map(
          (v, j) =>
            `<td class="${m.fused.grid[i]![j] === 'skipped' ? 'masked' : 'cell'}" data-label="mask[${i}][${j}]" data-value="${maskNumber(v)}">${maskNumber(v)}</td>`,
        )
        .join('')}</tr>`,
  );
  const corner = n < m.len ? ` The first ${n} of ${m.len} positions; the rest follow the same pattern.` : '';
  return `<h2>Causal mask</h2><p>Each position attends to itself and earlier positions. The ${m.runs} attention kernel the model runs never scores a future position (its weight stays exactly ${m.fused.skippedWeight}); the reference path adds the values below, ${mask} rather than −∞, so softmax's input stays finite (exp(${mask}) = ${m.facts.expOfMaskF64} exactly).${corner}</p><table class="heatmap mask">${rows.join('')}</table>`;
}

export function headSummaryHtml(summary: HeadSummaryReport): string {
  const multi = summary.heads.some((h) => h.layer > 0);
  const rows = summary.heads.map(
    (h) =>
      `<tr><td class="t">${headName(h.layer, h.head, multi)}</td><td>${fixed(h.previous, 2)}</td><td>${fixed(h.self, 2)}</td><td>${fixed(h.bos, 2)}</td><td>${fixed(h.entropy, 2)}</td><td class="t">${e(headVerdict(h))}</td></tr>`,
  );
  return `<h2>Head specialisation</h2><p>Mean weight over ${summary.probeSize} corpus names, positions ≥ ${summary.fromPosition}; a head is named for a target given ${summary.lift}× what uniform attention would give it.</p><table class="data"><tr><th class="t">head</th><th>→ prev</th><th>→ self</th><th>→ BOS</th><th>entropy</th><th class="t">label</th></tr>${rows.join('')}</table>`;
}
