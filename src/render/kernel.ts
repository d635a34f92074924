import type { ConstraintComparison, KernelReport, VsReport, VsRow } from '../explain/kernel.js';
import { fixed, grouped, safe, type Style } from './style.js';
import { indent, indentedTable, table } from './table.js';

const KEY_WIDTH = 21; // "positional_encoding: "
const VALUE_WIDTH = 13;

function verdictText(c: ConstraintComparison, ref: string, s: Style): string {
  switch (c.verdict) {
    case 'same':
      return `← same as ${ref} ${s.green('✓')}`;
    case 'same-kind':
      return `← same kind as ${ref} ${s.green('✓')} (${ref} writes ${c.reference})`;
    case 'simpler':
      return `← ${ref} uses ${c.reference} (simpler)`;
    case 'more-complex':
      return `← ${ref} uses ${c.reference} (more complex)`;
    case 'different':
      return `← ${ref} uses ${c.reference}`;
  }
}

/** The chapter's "Constraints (from family contract)" block, line for line. */
export function renderConstraints(r: KernelReport, s: Style): string {
  // The chapter's column, widened when a value is longer (offset_rmsnorm, parallel_shared_norm).
  const width = Math.max(VALUE_WIDTH, ...r.constraints.map((c) => safe(c.value).length + 1));
  const lines = r.constraints.map(
    (c) => `  ${(c.key + ':').padEnd(KEY_WIDTH)}${safe(c.value).padEnd(width)}${verdictText(c, r.referenceFamily, s)}`,
  );
  const title = r.config
    ? 'Constraints (from family contract, config.json applied):'
    : 'Constraints (from family contract):';
  return [s.bold(title), ...lines].join('\n');
}

export function renderPipeline(r: Pick<KernelReport, 'pipeline'>, s: Style): string {
  const rows = r.pipeline.map((p) => [
    p.operation,
    p.kernel,
    p.formula,
    p.executable ? s.green('✓ runs here') : 'explain-only',
  ]);
  return [
    s.bold('Kernel pipeline (from the kernel registry):'),
    indentedTable(s, ['operation', 'kernel', 'formula', 'executable'], rows),
  ].join('\n');
}

export function renderKernelReport(r: KernelReport, s: Style): string {
  const parts = [
    [
      `${s.bold(safe(r.displayName))} (${safe(r.family)}) — ${safe(r.vendor)}`,
      `  Hugging Face: ${r.architectures.length ? r.architectures.map(safe).join(', ') : '—'}`,
      `  Aliases:      ${r.aliases.length ? r.aliases.map(safe).join(', ') : '—'}`,
      `  Source:       ${safe(r.source)}`,
      ...(r.resolvedVia !== 'family'
        ? [`  Resolved:     ${safe(r.input)} → ${safe(r.family)} (by ${r.resolvedVia})`]
        : []),
    ].join('\n'),
    ...(r.config ? [renderConfig(r.config, s)] : []),
    renderPipeline(r, s),
    renderConstraints(r, s),
    r.sameConstraints.length
      ? `Families with the same constraint set: ${r.sameConstraints.map(safe).join(', ')}`
      : 'No other known family has exactly this constraint set.',
  ];
  if (r.notes) parts.push(`Notes: ${safe(r.notes)}`);
  if (r.verbose) parts.push(renderVerbose(r.verbose, s));
  return parts.join('\n\n');
}

function renderConfig(c: NonNullable<KernelReport['config']>, s: Style): string {
  return [
    s.bold('From config.json:'),
    ...c.derivations.map((d) => `  ${safe(d.because)}`),
    ...c.warnings.map((w) => s.yellow(`  warning: ${safe(w)}`)),
    ...c.variants.map((w) => `  note: ${safe(w)}`),
    ...(c.missing.length
      ? [s.dim(`  not in the config (family defaults used): ${c.missing.map(safe).join(', ')}`)]
      : []),
  ].join('\n');
}

const mark = (same: boolean, s: Style) => (same ? s.green('same') : s.yellow('differs'));
const cellOf = (v: string | number | null) =>
  v === null ? '—' : typeof v === 'string' ? safe(v) : Number.isInteger(v) ? grouped(v) : v.toExponential();

/** A titled side-by-side table; with `differing`, the title says how many rows differ and each row is marked. */
function sideBySide(title: string, first: string, r: VsReport, rows: VsRow[], s: Style, differing?: number): string {
  const head = [first, safe(r.a.family), safe(r.b.family)];
  const cells = rows.map((row) => [row.key, cellOf(row.a), cellOf(row.b)]);
  if (differing === undefined) return [s.bold(title), indentedTable(s, head, cells)].join('\n');
  return [
    `${s.bold(title)}: ${differing === 0 ? 'all the same' : `${differing} of ${rows.length} differ`}`,
    indentedTable(
      s,
      [...head, 'same?'],
      cells.map((c, i) => [...c, mark(rows[i]!.same, s)]),
    ),
  ].join('\n');
}

/** Two families side by side: constraints, sizes and parameter counts, the pipeline, and (-v) tensor names. */
export function renderVsReport(r: VsReport, s: Style): string {
  const d = r.differing;
  return [
    `${s.bold(safe(r.a.displayName))} vs ${s.bold(safe(r.b.displayName))}`,
    sideBySide('Constraints', 'constraint', r, r.rows, s, d.constraints),
    d.constraints === 0 ? 'Same constraint set: the same kernels run in both.' : '',
    sideBySide(`Sizes ${safe(r.sizes.a)} and ${safe(r.sizes.b)}`, 'size', r, r.sizes.rows, s, d.sizes),
    sideBySide('Kernel pipeline', 'step (— where a family has none)', r, r.pipeline, s, d.pipeline),
    r.tensors
      ? sideBySide('Tensors by role ({n} = layer; — where a family has none)', 'role', r, r.tensors, s)
      : 'Tensor names side by side: add -v.',
  ]
    .filter(Boolean)
    .join('\n\n');
}

function renderVerbose(v: NonNullable<KernelReport['verbose']>, s: Style): string {
  const sizes = indentedTable(
    s,
    ['size', 'params', 'hidden', 'layers', 'heads', 'kv', 'head_dim', 'inter', 'vocab', 'context', 'rope_theta', 'eps'],
    v.sizes.map((z) => [
      safe(z.name),
      z.name === v.size && v.declaredParameters === null ? grouped(v.computedParameters) + '*' : grouped(z.parameters),
      z.hidden,
      z.layers,
      z.heads,
      z.kv_heads,
      z.head_dim,
      z.intermediate,
      z.vocab,
      z.context,
      z.rope_theta ?? '—',
      z.norm_eps.toExponential(),
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  const tensors = indentedTable(
    s,
    ['tensor', 'role', 'shape', 'elements'],
    v.tensors.map((t) => [
      safe(t.template),
      safe(t.role),
      `[${t.shape.join(', ')}]`,
      grouped(t.count) + (t.copies !== 1 ? ` × ${grouped(t.copies)}` : ''),
    ]),
    ['left', 'left', 'left', 'right'],
  );
  const check =
    v.parameterGap === null
      ? ''
      : v.parameterGap === 0
        ? s.green('✓ exactly')
        : s.red(`✗ differs by ${fixed(v.parameterGap * 100, 2)}%`);
  const declared =
    v.declaredParameters === null
      ? '(the config declares no count)'
      : `declared: ${grouped(v.declaredParameters)} ${check}`;
  return [
    s.bold('Size variants:'),
    sizes,
    s.bold(`Tensors of size ${safe(v.size)} ({n} = layer, 0..${v.layers - 1}; × copies):`),
    tensors,
    `Parameters computed from these shapes: ${grouped(v.computedParameters)}; ${declared}`,
  ].join('\n');
}
