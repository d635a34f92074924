import type { ConstraintComparison, KernelReport } from '../explain/kernel.js';
import { fixed, grouped, safe, type Style } from './style.js';
import { indent, table } from './table.js';

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
  const lines = r.constraints.map((c) => `  ${(c.key + ':').padEnd(KEY_WIDTH)}${safe(c.value).padEnd(VALUE_WIDTH)}${verdictText(c, r.referenceFamily, s)}`);
  return [s.bold('Constraints (from family contract):'), ...lines].join('\n');
}

export function renderPipeline(r: Pick<KernelReport, 'pipeline'>, s: Style): string {
  const rows = r.pipeline.map((p) => [p.operation, `${p.value} (${p.title})`, p.formula, p.executable ? s.green('✓ runs here') : 'explain-only']);
  return [s.bold('Kernel pipeline (from the kernel registry):'), indent(table(s, ['operation', 'kernel', 'formula', 'executable'], rows))].join('\n');
}

export function renderKernelReport(r: KernelReport, s: Style): string {
  const parts = [
    [
      `${s.bold(safe(r.displayName))} (${safe(r.family)}) — ${safe(r.vendor)}`,
      `  Hugging Face: ${r.architectures.length ? r.architectures.map(safe).join(', ') : '—'}`,
      `  Aliases:      ${r.aliases.length ? r.aliases.map(safe).join(', ') : '—'}`,
      `  Source:       ${safe(r.source)}`,
    ].join('\n'),
    renderPipeline(r, s),
    renderConstraints(r, s),
    r.sameConstraints.length ? `Families with the same constraint set: ${r.sameConstraints.map(safe).join(', ')}` : 'No other known family has exactly this constraint set.',
  ];
  if (r.verbose) parts.push(renderVerbose(r.verbose, s));
  return parts.join('\n\n');
}

function renderVerbose(v: NonNullable<KernelReport['verbose']>, s: Style): string {
  const sizes = table(
    s,
    ['size', 'params', 'hidden', 'layers', 'heads', 'kv', 'head_dim', 'inter', 'vocab', 'context', 'rope_theta', 'eps'],
    v.sizes.map((z) => [safe(z.name), grouped(z.parameters), z.hidden, z.layers, z.heads, z.kv_heads, z.head_dim, z.intermediate, z.vocab, z.context, z.rope_theta ?? '—', z.norm_eps.toExponential()]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  const tensors = table(
    s,
    ['tensor', 'role', 'shape', 'elements'],
    v.tensors.map((t) => [safe(t.template), safe(t.role), `[${t.shape.join(', ')}]`, grouped(t.count) + (t.copies !== 1 ? ` × ${grouped(t.copies)}` : '')]),
    ['left', 'left', 'left', 'right'],
  );
  const gap = `${fixed(v.parameterGap * 100, 2)}%`;
  const check = v.parameterGap <= 0.02 ? s.green(`✓ within 2% (${gap})`) : s.red(`✗ differs by ${gap}`);
  return [
    s.bold('Size variants:'),
    indent(sizes),
    s.bold(`Tensors of size ${safe(v.size)} ({n} = layer, 0..${v.layers - 1}; × copies):`),
    indent(tensors),
    `Parameters computed from these shapes: ${grouped(v.computedParameters)}; declared: ${grouped(v.declaredParameters)} ${check}`,
  ].join('\n');
}
