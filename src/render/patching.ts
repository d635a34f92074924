import type { PatchReport } from '../explain/patching.js';
import { headName } from './heads.js';
import { renderMatrix, type Hidden } from './matrix.js';
import { counted, fixed, safe, tokenText, type Style } from './style.js';

/** Columns a share takes: a sign, a digit, the point and two decimals. */
const SHARE_WIDTH = 5;

/** One matrix of shares restored: a row per head (or stream), a column per position, positions and tokens as headings. */
function shares(
  r: PatchReport,
  s: Style,
  rows: ReadonlyArray<{ label: string; restored: readonly number[] }>,
): { lines: string[]; hidden: Hidden | null } {
  const tokens = r.clean.tokens.map(tokenText);
  return renderMatrix({
    headers: [tokens.map((_, p) => String(p)), tokens],
    rows: rows.map((row) => ({ label: row.label, cells: row.restored.map((x) => fixed(x, 2)) })),
    cellWidth: Math.max(SHARE_WIDTH, ...rows.flatMap((row) => row.restored.map((x) => fixed(x, 2).length))),
    width: s.width,
  });
}

const leftOut = (h: Hidden | null) => (h ? ` (positions ${h.from}–${h.to} left out at this width: "…")` : '');

export function renderPatchReport(r: PatchReport, s: Style): string {
  const multi = r.layers > 1;
  const heads = shares(
    r,
    s,
    r.heads.map((h) => ({ label: headName(h.layer, h.head, multi), restored: h.restored })),
  );
  const streams = shares(
    r,
    s,
    r.residual.map((x) => ({ label: x.layer === r.layers ? 'output' : `layer ${x.layer}`, restored: x.restored })),
  );
  return [
    `${s.bold('Activation patching')} on ${safe(r.weightsFrom)} (${safe(r.family)})`,
    `Clean "${safe(r.clean.text)}" [${r.clean.tokens.map(tokenText).join(', ')}], corrupt "${safe(r.corrupt.text)}" [${r.corrupt.tokens.map(tokenText).join(', ')}]; target ${tokenText(r.target.label)} (id ${r.target.id}): logit ${fixed(r.cleanLogit, 4)} clean, ${fixed(r.corruptLogit, 4)} corrupt.`,
    'Each cell: the share of the clean logit restored when that one activation at that position is copied from the clean run into the corrupt one (1 = all of it, 0 = none); columns are positions, headed by the clean tokens; --json has every cell.',
    [s.bold("Heads' outputs") + leftOut(heads.hidden) + ':', ...heads.lines].join('\n'),
    [
      s.bold('Residual stream entering each layer (the last row: leaving the last layer)') +
        leftOut(streams.hidden) +
        ':',
      ...streams.lines,
    ].join('\n'),
    ...(r.interrupted
      ? [
          s.yellow(
            `Interrupted (Ctrl-C) after ${counted(r.residual.length, 'layer')} of ${r.layers + 1} (the last is the stream leaving the model): the rows above are the layers finished.`,
          ),
        ]
      : []),
  ].join('\n\n');
}
