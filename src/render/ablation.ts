import type { AblationReport } from '../explain/ablation.js';
import { headName } from './heads.js';
import { counted, fixed, grouped, safe, type Style } from './style.js';
import { indentedTable } from './table.js';

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${fixed(Math.abs(x), 4)}`;

/** How the clean loss relates to eval's: the same number only when the documents are the whole corpus. */
function evalClaim(r: AblationReport): string {
  const same = "the same definition as eval's, so `microgpt eval` on the same model and data prints the same number.";
  if (!r.sample) return same;
  const { used, of, every, countForAll } = r.sample;
  const all = countForAll === null ? '' : `, as ablate does with -n ${countForAll}`;
  return `on ${grouped(used)} of the ${counted(of, 'name')} (one in every ${every}, -n ${used}): eval's definition, but \`microgpt eval\` scores all ${grouped(of)}${all}.`;
}

export function renderAblationReport(r: AblationReport, s: Style): string {
  const multi = r.layers > 1;
  const name = (c: { layer: number; head: number | null }) =>
    c.head === null ? (multi ? `L${c.layer} MLP` : 'MLP') : headName(c.layer, c.head, multi);
  return [
    `${s.bold('Ablation')} of ${safe(r.weightsFrom)} (${safe(r.family)}) on ${safe(r.data)}, ${counted(r.documents, 'document')}`,
    `Clean loss: ${s.bold(fixed(r.clean, 4))} ${safe(r.unit)}, nothing ablated: ${evalClaim(r)}`,
    `Each head and MLP alone set to 0 (zero) or to its mean over the data at each position (mean), and the loss then (same unit), most harmful first:`,
    indentedTable(
      s,
      ['component', 'zero', 'Δ zero', 'mean', 'Δ mean'],
      r.rows.map((row) => [
        name(row),
        fixed(row.zero, 4),
        signed(row.zeroDelta),
        fixed(row.mean, 4),
        signed(row.meanDelta),
      ]),
      ['left', 'right', 'right', 'right', 'right'],
    ),
    ...(r.interrupted
      ? [
          s.yellow(
            `Interrupted (Ctrl-C) after ${counted(r.layersDone, 'layer')} of ${r.layers}: the rows above are the layers finished.`,
          ),
        ]
      : []),
    ...(r.together
      ? [
          `Together (${r.together.components.map(name).join(', ')}): zero ${fixed(r.together.zero, 4)} (${signed(r.together.zeroDelta)}), mean ${fixed(r.together.mean, 4)} (${signed(r.together.meanDelta)})`,
        ]
      : []),
  ].join('\n\n');
}
