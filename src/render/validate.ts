import type { ValidateReport } from '../explain/files/types.js';
import { bytesWithSize } from './bytes.js';
import { ignoredFilesLine } from './model-file.js';
import { safe, type Style } from './style.js';

/** Failures shown per check in the text view. */
const SHOWN = 20;

export function renderValidateReport(r: ValidateReport, s: Style): string {
  const lines = [
    `${s.bold('Validate')}: ${safe(r.input)} (${r.format}${r.family ? `, ${safe(r.family)}` : ''})`,
    ...ignoredFilesLine(r.ignoredFiles),
  ];
  for (const c of r.checks) {
    lines.push(`  ${c.ok ? s.green('✓') : s.red('✗')} ${c.name}: ${safe(c.detail)}`);
    for (const f of c.failures.slice(0, SHOWN)) lines.push(`      ${s.red('✗')} ${safe(f)}`);
    if (c.failures.length > SHOWN) lines.push(`      … and ${c.failures.length - SHOWN} more (--json lists them)`);
  }
  if (r.scan) lines.push(`  scanned ${r.scan.tensorsScanned} tensors, ${bytesWithSize(r.scan.bytesScanned)}`);
  lines.push(
    r.sound
      ? s.green('Sound: every check passed.')
      : s.red(`${r.failedChecks} check${r.failedChecks === 1 ? '' : 's'} failed.`),
  );
  return lines.join('\n');
}
