import type { PatchReport } from '../explain/patching.js';
import { headName } from './heads.js';
import { fixed, safe, tokenText, type Style } from './style.js';
import { indentedTable } from './table.js';

export function renderPatchReport(r: PatchReport, s: Style): string {
  const multi = r.layers > 1;
  const columns = r.clean.tokens.map((t, p) => `${p}:${tokenText(t)}`);
  const cells = (xs: readonly number[]) => xs.map((x) => fixed(x, 2));
  return [
    `${s.bold('Activation patching')} on ${safe(r.weightsFrom)} (${safe(r.family)})`,
    `Clean "${safe(r.clean.text)}" [${r.clean.tokens.map(tokenText).join(', ')}], corrupt "${safe(r.corrupt.text)}" [${r.corrupt.tokens.map(tokenText).join(', ')}]; target ${tokenText(r.target.label)} (id ${r.target.id}): logit ${fixed(r.cleanLogit, 4)} clean, ${fixed(r.corruptLogit, 4)} corrupt.`,
    'Each cell: the share of the clean logit restored when that one activation at that position is copied from the clean run into the corrupt one (1 = all of it, 0 = none).',
    s.bold("Heads' outputs:"),
    indentedTable(
      s,
      ['head', ...columns],
      r.heads.map((h) => [headName(h.layer, h.head, multi), ...cells(h.restored)]),
      ['left', ...columns.map(() => 'right' as const)],
    ),
    s.bold('Residual stream entering each layer (the last row: leaving the last layer):'),
    indentedTable(
      s,
      ['stream', ...columns],
      r.residual.map((x) => [x.layer === r.layers ? 'output' : `layer ${x.layer}`, ...cells(x.restored)]),
      ['left', ...columns.map(() => 'right' as const)],
    ),
  ].join('\n\n');
}
