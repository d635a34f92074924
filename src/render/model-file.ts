import type { FileReport } from '../explain/files/types.js';
import { shown } from './shown.js';
import { binarySize, bytesWithSize } from './bytes.js';
import { fixed, grouped, safe, type Style } from './style.js';
import { indent, indentedTable, table } from './table.js';

/** At most this many lines per kind of finding in the text view (the JSON has them all). */
const SHOWN = 20;
/** Rows of the table by template: a real model has a few dozen; a file of 100,000 unrecognised names would have one each. */
const GROUPS_SHOWN = 200;

export function renderFileReport(r: FileReport, s: Style, opts: { verbose?: boolean } = {}): string {
  return [...fileReportPieces(r, s, opts)].join('\n');
}

/**
 * renderFileReport's text in pieces of whole lines (joined with "\n" they are
 * the text): with -v, a file of 100,000 tensors is 100,000 lines, made and
 * handed on a batch at a time instead of held at once with their cells.
 */
export function* fileReportPieces(
  r: FileReport,
  s: Style,
  opts: { verbose?: boolean } = {},
): Generator<string, void, undefined> {
  const sections = [
    header(r, s),
    sizes(r, s),
    counts(r, s),
    opts.verbose === true ? tensorLines(r, s) : tensorGroups(r, s),
    checks(r, s),
    ...(r.metadata ? [metadata(r, s)] : []),
  ];
  let first = true;
  for (const section of sections) {
    if (section === '') continue;
    // A blank line between sections.
    if (!first) yield '';
    first = false;
    if (typeof section === 'string') yield section;
    else yield* section;
  }
}

/** Names listed in the one line about files of the folder that are not the model. */
const IGNORED_SHOWN = 4;

/** One line (or none) naming the folder's weights-like files that are not part of the model. */
export function ignoredFilesLine(names: readonly string[]): string[] {
  if (!names.length) return [];
  const more = names.length > IGNORED_SHOWN ? `, … (${names.length} in all)` : '';
  return [
    `  also in the folder, not part of the model: ${names
      .slice(0, IGNORED_SHOWN)
      .map((n) => shown(n))
      .join(', ')}${more}`,
  ];
}

function header(r: FileReport, s: Style): string {
  const files =
    r.files.length === 1
      ? `1 file, ${bytesWithSize(r.totalBytes)}`
      : `${r.files.length} files, ${bytesWithSize(r.totalBytes)}`;
  const lines = [
    `${s.bold('Model')}: ${safe(r.input)} (${r.format}, ${files})`,
    ...(r.files.length > 1
      ? r.files.map((f) => `  ${shown(f.path)}: ${grouped(f.tensors)} tensors, ${bytesWithSize(f.bytes)}`)
      : []),
    ...ignoredFilesLine(r.ignoredFiles),
    `${s.bold('Family')}: ${r.family ? `${safe(r.displayName ?? r.family)} (${safe(r.family)})` : s.yellow('unknown')}`,
    ...r.detection.reasons.map((x) => `  ${safe(x)}`),
    `${s.bold('Naming')}: ${safe(r.naming)}`,
  ];
  if (r.gguf) {
    const g = r.gguf;
    lines.push(
      `${s.bold('GGUF')}: version ${g.version}, alignment ${g.alignment}, ${g.metadataCount} metadata keys${g.fileType ? `, general.file_type ${g.fileType.id} = ${safe(g.fileType.name)}` : ''}${g.vocabulary !== null ? `, vocabulary ${grouped(g.vocabulary)} tokens` : ''}`,
    );
  }
  if (r.stMetadata.length)
    lines.push(
      `${s.bold('Metadata')}: ${r.stMetadata.map((m) => `${shown(m.key, 40)}=${shown(m.value, 40)}`).join(', ')}`,
    );
  return lines.join('\n');
}

function sizes(r: FileReport, s: Style): string {
  if (!r.sizes.length) return '';
  const rows = r.sizes.map((x) => [
    x.field,
    Number.isInteger(x.value) ? String(x.value) : String(Number(x.value.toPrecision(6))),
    safe(x.source),
  ]);
  return [
    s.bold('Size (each number and where it came from):'),
    indentedTable(s, ['field', 'value', 'source'], rows, ['left', 'right', 'left']),
    `  output head: ${r.tied.value === null ? 'unknown' : r.tied.value ? 'tied to the token embedding' : 'its own matrix (untied)'} (${safe(r.tied.source)})`,
  ].join('\n');
}

function counts(r: FileReport, s: Style): string {
  const contract =
    r.contractParameterCount === null
      ? ''
      : r.contractParameterCount === r.parameterCount
        ? ` ${s.green('✓')} = what the ${safe(r.family ?? '')} contract gives at this size`
        : ` ${s.yellow('≠')} the ${safe(r.family ?? '')} contract gives ${grouped(r.contractParameterCount)} at this size`;
  const buffers = r.bufferTensors
    ? `; ${r.bufferTensors} buffer${r.bufferTensors === 1 ? '' : 's'} (${grouped(r.bufferElements)} elements, not parameters)`
    : '';
  const unknown = r.unknownTensors ? `; ${r.unknownTensors} unknown (counted)` : '';
  const rows = r.dtypes.map((d) => [
    shown(d.dtype),
    grouped(d.tensors),
    grouped(d.elements),
    binarySize(d.bytes),
    fixed(d.bitsPerWeight, 2),
    `${fixed(100 * d.shareOfBytes, 1)}%`,
  ]);
  return [
    `${s.bold('Parameters')}: ${grouped(r.parameterCount)}${contract}`,
    `${s.bold('Tensors')}: ${grouped(r.tensorCount)}${buffers}${unknown}`,
    `${s.bold(r.format === 'gguf' ? 'Quantisation mix' : 'Dtypes')} (${fixed(r.bitsPerWeight, 2)} bits per weight overall):`,
    indentedTable(s, ['type', 'tensors', 'elements', 'bytes', 'bits/weight', 'share'], rows, [
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
    ]),
  ].join('\n');
}

/** Lines of the verbose listing written at a time. */
const BATCH = 256;

/**
 * One line per tensor: where its bytes are (file number when there are
 * several, offset, size) and its check. The cells are made twice, for the
 * column widths and then for the lines, so no more than a batch of them is held.
 */
function* tensorLines(r: FileReport, s: Style): Generator<string, void, undefined> {
  const many = r.files.length > 1;
  const fileNo = new Map(r.files.map((f, i) => [f.path, i + 1]));
  const cells = (t: FileReport['tensors'][number]) => [
    shown(t.name),
    `[${t.shape.join(', ')}]`,
    shown(t.dtype),
    `${many ? `#${fileNo.get(t.file) ?? '?'} ` : ''}@${grouped(t.offset)}`,
    binarySize(t.bytes),
    safe(t.role ?? '—') + (t.kind === 'buffer' ? ' (buffer)' : ''),
    mark(t.check, s),
  ];
  const right = [false, false, false, true, true, false, false];
  const widths = right.map(() => 0);
  for (const t of r.tensors) cells(t).forEach((cell, c) => (widths[c] = Math.max(widths[c]!, [...cell].length)));
  // The widest line: the columns padded to their widths, two spaces apart, indented by two (the last cell, a
  // check mark, ends in no space for trimEnd to take).
  const widest = 2 + widths.reduce((a, w) => a + w + 2, 0) - 2;
  // Where a line with the role would not fit the screen, the role goes (the listing by template has it).
  const keep = widest <= s.width ? () => true : (_: unknown, c: number) => c !== 5;
  yield widest <= s.width
    ? s.bold(`Tensors (name, shape, dtype, ${many ? 'file #, ' : ''}byte offset, bytes, role, shape check):`)
    : s.bold(
        `Tensors (name, shape, dtype, ${many ? 'file #, ' : ''}byte offset, bytes, shape check; roles in the listing without -v):`,
      );
  const [w, rightKept] = [widths.filter(keep), right.filter(keep)];
  for (let i = 0; i < r.tensors.length; i += BATCH)
    yield r.tensors
      .slice(i, i + BATCH)
      .map((t) => alignedLine(cells(t).filter(keep), w, rightKept))
      .join('\n');
}

function tensorGroups(r: FileReport, s: Style): string {
  const rows = r.groups
    .slice(0, GROUPS_SHOWN)
    .map((g) => [
      `${grouped(g.count)} ×`,
      shown(g.template),
      g.shapeVaries ? 'shapes vary' : `[${g.shape.join(', ')}]`,
      g.dtypes.map((d) => (g.dtypes.length > 1 ? `${shown(d.dtype)}×${d.count}` : shown(d.dtype))).join(' '),
      [
        (g.role === null ? (g.kind === 'unknown' ? 'no template names it' : '—') : safe(g.role)) +
          (g.kind === 'buffer' ? (g.count > 1 ? ', buffers' : ', a buffer') : ''),
        g.layers ? `layers ${g.layers}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    ]);
  const left = r.groups.length - rows.length;
  return [
    s.bold('Tensors by template (count × name, shape, dtype, role; -v lists each with its offset):'),
    ...aligned(rows, [true, false, false, false, false]),
    ...(left > 0 ? [`  … and ${grouped(left)} more rows (-v lists every tensor; --json has them all)`] : []),
  ].join('\n');
}

/**
 * Rows of cells as lines, each column padded to its widest cell (right-aligned
 * where asked), indented by two; a line wider than the screen wraps under its
 * indent (layout.ts) rather than the whole listing turning into blocks.
 */
function aligned(rows: readonly string[][], right: readonly boolean[]): string[] {
  const widths = right.map((_, c) => rows.reduce((w, row) => Math.max(w, [...row[c]!].length), 0));
  return rows.map((row) => alignedLine(row, widths, right));
}

/** One row of `aligned`, given the column widths. */
function alignedLine(row: readonly string[], widths: readonly number[], right: readonly boolean[]): string {
  const pad = (cell: string, c: number) => {
    const gap = ' '.repeat(widths[c]! - [...cell].length);
    return right[c] ? gap + cell : cell + gap;
  };
  return `  ${row.map(pad).join('  ').trimEnd()}`;
}

const mark = (c: 'ok' | 'mismatch' | 'unchecked', s: Style) =>
  c === 'ok' ? s.green('✓') : c === 'mismatch' ? s.red('✗') : '—';

function checks(r: FileReport, s: Style): string {
  const ok = (x: string) => `  ${s.green('✓')} ${x}`;
  const bad = (x: string) => `  ${s.red('✗')} ${x}`;
  const more = (n: number) => (n > SHOWN ? [`    … and ${n - SHOWN} more (--json lists all)`] : []);
  const lines: string[] = [];
  if (r.family) {
    lines.push(
      r.shapeMismatches.length
        ? bad(`${r.shapeMismatches.length} of ${r.shapesChecked} shapes differ from the ${safe(r.family)} contract:`)
        : ok(`all ${r.shapesChecked} shapes checked match the ${safe(r.family)} contract at this size`),
    );
    for (const m of r.shapeMismatches.slice(0, SHOWN))
      lines.push(`    ${shown(m.name)}: [${m.actual.join(', ')}], expected ${safe(m.because)}`);
    lines.push(...more(r.shapeMismatches.length));
    if (r.shapesUnchecked.count)
      lines.push(`  — ${r.shapesUnchecked.count} not checked: ${safe(r.shapesUnchecked.firstReason ?? '')}`);
    lines.push(
      r.missingCount
        ? bad(
            `${r.missingCount} tensor${r.missingCount === 1 ? '' : 's'} the contract expects ${r.missingCount === 1 ? 'is' : 'are'} missing:`,
          )
        : ok('no expected tensor is missing'),
    );
    for (const m of r.missing.slice(0, SHOWN)) lines.push(`    ${shown(m.name)} (${safe(m.role)})`);
    lines.push(...more(r.missingCount));
  }
  if (r.unknown.length) {
    lines.push(`  ? ${r.unknown.length} tensor${r.unknown.length === 1 ? '' : 's'} no template names:`);
    for (const n of r.unknown.slice(0, SHOWN)) lines.push(`    ${shown(n)}`);
    lines.push(...more(r.unknown.length));
  }
  for (const c of r.configChecks) lines.push(c.ok ? ok(safe(c.message)) : bad(safe(c.message)));
  for (const p of r.problems.slice(0, SHOWN)) lines.push(bad(`${safe(p.where)}: ${safe(p.message)}`));
  lines.push(...more(r.problems.length));
  return lines.length ? [s.bold('Checks:'), ...lines].join('\n') : '';
}

function metadata(r: FileReport, s: Style): string {
  const rows = (r.metadata ?? []).map((m) => [shown(m.key), m.type, safe(m.value)]);
  return [s.bold('Metadata:'), indentedTable(s, ['key', 'type', 'value'], rows)].join('\n');
}
