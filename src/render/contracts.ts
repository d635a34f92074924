import type { ContractListReport, ValidateReport } from '../explain/contracts.js';
import { safe, type Style, counted } from './style.js';
import { table } from './table.js';

export function renderContractList(r: ContractListReport, s: Style): string {
  const rows = r.families.map((f) => [
    safe(f.family),
    safe(f.displayName),
    f.constraints.attention_type,
    f.constraints.activation,
    f.constraints.norm_type,
    f.constraints.mlp_type,
    f.constraints.positional_encoding,
    f.constraints.has_bias,
    f.constraints.tied_embeddings,
    f.sizes.map(safe).join(', '),
  ]);
  return [
    table(s, ['family', 'name', 'attention', 'activation', 'norm', 'mlp', 'positions', 'bias', 'tied', 'sizes'], rows),
    `${r.families.length} families. Explain one: microgpt explain --kernel <family> -v`,
  ].join('\n');
}

export function renderValidate(r: ValidateReport, s: Style): string {
  const lines = r.results.map((x) =>
    x.ok ? `${s.green('✓')} ${safe(x.file)} (${safe(x.family ?? '')})` : `${s.red('✗')} ${safe(x.error ?? '')}`,
  );
  return [
    ...lines,
    r.invalid
      ? s.red(`${r.invalid} of ${counted(r.results.length, 'contract')} invalid`)
      : s.green(r.results.length === 1 ? '1 contract valid' : `all ${counted(r.results.length, 'contract')} valid`),
  ].join('\n');
}
