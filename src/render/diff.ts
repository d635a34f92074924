import type { DiffReport } from '../explain/files/types.js';
import { shown } from './shown.js';
import { grouped, safe, type Style } from './style.js';
import { indent, indentedTable, table } from './table.js';

const SHOWN = 20;

export function renderDiffReport(r: DiffReport, s: Style): string {
  const head = [
    `${s.bold('A')}: ${safe(r.a.input)} (${r.a.format}, ${safe(r.a.family ?? 'unknown family')}, ${grouped(r.a.tensors)} tensors, ${grouped(r.a.parameters)} parameters)`,
    `${s.bold('B')}: ${safe(r.b.input)} (${r.b.format}, ${safe(r.b.family ?? 'unknown family')}, ${grouped(r.b.tensors)} tensors, ${grouped(r.b.parameters)} parameters)`,
  ];
  const parts = [head.join('\n')];
  // A tensor whose header entry is broken is in neither list below: say so first, naming it.
  for (const [side, x] of [
    ['A', r.a],
    ['B', r.b],
  ] as const)
    if (x.problems.length)
      parts.push(
        [
          `${s.red('✗')} ${s.bold(side)}'s headers have ${x.problems.length} problem${x.problems.length === 1 ? '' : 's'}; the tensors concerned are not compared:`,
          ...x.problems.slice(0, SHOWN).map((p) => `    ${safe(p.where)}: ${safe(p.message)}`),
          ...(x.problems.length > SHOWN
            ? [`    … and ${x.problems.length - SHOWN} more (microgpt validate lists them)`]
            : []),
        ].join('\n'),
      );
  const list = <T>(title: string, xs: T[], line: (x: T) => string) => {
    if (!xs.length) return;
    parts.push(
      [
        `${s.bold(title)} (${xs.length}):`,
        ...xs.slice(0, SHOWN).map((x) => `  ${line(x)}`),
        ...(xs.length > SHOWN ? [`  … and ${xs.length - SHOWN} more (--json lists them)`] : []),
      ].join('\n'),
    );
  };
  list('Only in B (added)', r.added, (t) => `+ ${shown(t.name)} [${t.shape.join(', ')}] ${shown(t.dtype)}`);
  list('Only in A (removed)', r.removed, (t) => `- ${shown(t.name)} [${t.shape.join(', ')}] ${shown(t.dtype)}`);
  list('Reshaped', r.reshaped, (t) => `~ ${shown(t.name)} [${t.a.join(', ')}] → [${t.b.join(', ')}]`);
  list('Re-typed', r.retyped, (t) => `~ ${shown(t.name)} ${shown(t.a)} → ${shown(t.b)}`);
  list(
    'Family, size and config differences',
    r.configDifferences,
    (d) => `${shown(d.field)}: ${shown(d.a ?? '—')} → ${shown(d.b ?? '—')}`,
  );
  parts.push(`Same name, shape and dtype: ${grouped(r.same)} tensor${r.same === 1 ? '' : 's'}`);
  if (r.values) {
    const changed = new Set(r.valuesChanged);
    const rows = r.values
      .filter((v) => changed.has(v.name))
      .slice(0, SHOWN)
      .map((v) => [
        shown(v.name),
        v.maxAbsDiff.toExponential(3),
        v.rmse.toExponential(3),
        v.cosine === null ? '—' : v.cosine.toFixed(6),
      ]);
    parts.push(
      changed.size
        ? [
            `${s.bold('Values')}: ${changed.size} of ${r.values.length} compared tensors differ:`,
            indentedTable(s, ['tensor', 'max |Δ|', 'RMSE', 'cosine'], rows, ['left', 'right', 'right', 'right']),
            ...(changed.size > SHOWN ? [`  … and ${changed.size - SHOWN} more`] : []),
          ].join('\n')
        : `${s.bold('Values')}: all ${r.values.length} compared tensors are identical`,
    );
    list('Values not compared', r.valuesSkipped, (v) => `${shown(v.name)}: ${safe(v.why)}`);
  }
  parts.push(r.identical ? s.green('The two models are identical in everything compared.') : 'The models differ.');
  return parts.join('\n\n');
}
