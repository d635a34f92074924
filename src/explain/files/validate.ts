import type { ValueCounts } from '../../formats/index.js';
import { clip } from '../../clip.js';
import type { FileReport, ValidateReport } from './types.js';

/** What --scan found: per scanned tensor its counts, and what could not be decoded. */
export interface ScanResult {
  scanned: Array<{ name: string; counts: ValueCounts }>;
  skipped: Array<{ name: string; dtype: string }>;
  bytes: number;
}

/**
 * The verdict on a model file: header integrity, shards, shapes and names
 * against the family contract, config.json against the tensors, and with
 * --scan the values themselves. Each failure is one line naming the tensor,
 * shard or field.
 */
export function buildValidateReport(r: FileReport, scan: ScanResult | null): ValidateReport {
  const checks: ValidateReport['checks'] = [];
  const check = (name: string, failures: string[], detail: string) =>
    checks.push({ name, ok: failures.length === 0, detail, failures });
  const shard = r.problems.filter(
    (p) =>
      p.where.startsWith('shard ') ||
      p.where.startsWith('index ') ||
      p.message.includes('shard') ||
      p.message.includes('index'),
  );
  const header = r.problems.filter((p) => !shard.includes(p));
  check(
    'header',
    header.map((p) => `${p.where}: ${p.message}`),
    `${r.files.length} file${r.files.length === 1 ? '' : 's'}, ${r.tensorCount} tensors: lengths, dtypes, offsets in bounds, no overlaps, no stray bytes`,
  );
  if (r.files.length > 1 || shard.length)
    check(
      'shards',
      shard.map((p) => `${p.where}: ${p.message}`),
      `every shard present, every tensor in the shard the index names, none in two, total_size`,
    );
  if (r.family === null) {
    check('family', [], `unknown family, so no contract checks (${r.detection.reasons.join('; ')})`);
  } else {
    check(
      'shapes',
      r.shapeMismatches.map((m) => `${clip(m.name)}: shape [${m.actual.join(', ')}], expected ${m.because}`),
      `every tensor's shape against the ${r.family} contract at this size`,
    );
    check(
      'expected tensors',
      r.missing
        .map((m) => `missing ${clip(m.name)} (${m.role})`)
        .concat(r.missingCount > r.missing.length ? [`… and ${r.missingCount - r.missing.length} more missing`] : []),
      `every tensor the ${r.family} contract expects at this size is present`,
    );
    const cfg = r.configChecks.filter((c) => !c.ok).map((c) => c.message);
    check(
      'config',
      cfg,
      r.configChecks.length
        ? `${r.configChecks.length} fields of the config or header cross-checked against the tensors`
        : 'nothing to cross-check',
    );
  }
  if (scan) {
    const bad = scan.scanned.filter((s) => s.counts.nan || s.counts.inf || s.counts.nonZero === 0);
    check(
      'values',
      bad.map(
        (s) =>
          `${clip(s.name)}: ${[s.counts.nan ? `${s.counts.nan} NaN` : '', s.counts.inf ? `${s.counts.inf} infinite` : '', s.counts.nonZero === 0 ? 'all zero' : ''].filter(Boolean).join(', ')}`,
      ),
      `${scan.scanned.length} tensors streamed for NaN, infinities and all-zero${maskedNote(scan)}${scan.skipped.length ? `; ${scan.skipped.length} quantised or integer tensors not decoded` : ''}`,
    );
  }
  return {
    kind: 'validate',
    input: r.input,
    format: r.format,
    family: r.family,
    ignoredFiles: r.ignoredFiles,
    checks,
    scan: scan
      ? {
          tensorsScanned: scan.scanned.length,
          bytesScanned: scan.bytes,
          skipped: scan.skipped,
          masked: scan.scanned.filter((s) => s.counts.masked).map((s) => ({ name: s.name, values: s.counts.masked })),
          findings: scan.scanned
            .filter((s) => s.counts.nan || s.counts.inf || s.counts.nonZero === 0)
            .map((s) => ({ name: s.name, nan: s.counts.nan, inf: s.counts.inf, allZero: s.counts.nonZero === 0 })),
        }
      : null,
    failedChecks: checks.filter((c) => !c.ok).length,
    sound: checks.every((c) => c.ok),
  };
}

/** The −inf of a cache's causal mask, counted and passed: said, so a reader knows they were seen. */
function maskedNote(scan: ScanResult): string {
  const masked = scan.scanned.filter((s) => s.counts.masked);
  if (!masked.length) return '';
  const values = masked.reduce((a, s) => a + s.counts.masked, 0);
  return `; ${values} −inf in ${masked.length} hook_attn_scores tensor${masked.length === 1 ? '' : 's'} masked (causal), as expected`;
}
