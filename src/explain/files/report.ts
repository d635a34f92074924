import { float32Text } from './float32.js';
import {
  copiesOf,
  evaluate,
  parameterTemplates,
  type Contract,
  type NameMatch,
  type TensorTemplate,
} from '../../contracts/index.js';
import { clip, quote } from '../../clip.js';
import { MicrogptError } from '../../errors.js';
import {
  ggufNumber,
  ggufString,
  LLAMA_FILE_TYPES,
  type GgufValue,
  type ModelFiles,
  type TensorEntry,
} from '../../formats/index.js';
import { detectFamily } from './detect.js';
import {
  bufferRole,
  findRole,
  mapTensors,
  nameInFile,
  namingOf,
  shapeExpressions,
  templateInFile,
  type Mapped,
  type Naming,
} from './map.js';
import { readSizes, type Vars } from './sizes.js';
import type { FileReport, FileTensor } from './types.js';

/** At most this many missing names are listed (all are counted). */
const MISSING_LISTED = 200;
/** At most this many expected names are looked for: bounded work whatever the sizes say. */
const MAX_EXPECTED = 1_000_000;

/**
 * Everything `inspect PATH` says about a model file, from its headers alone:
 * the family and why, the size and where each number came from, every tensor
 * with its role and a shape check, counts, the dtype or quantisation mix, and
 * what is missing, unknown or inconsistent.
 */
export function buildFileReport(
  files: ModelFiles,
  contracts: readonly Contract[],
  opts: { metadata?: boolean; family?: Contract } = {},
): FileReport {
  const detection = detectFamily(files, contracts, opts.family);
  const contract = detection.contract;
  const mapped = mapTensors(contract, files.tensors);
  const naming = namingOf(mapped, files.format === 'gguf');
  const sizes = contract
    ? readSizes(contract, files, mapped)
    : { vars: {} as Vars, rows: [], crossChecks: [], implausible: [] };
  const tied = tiedness(files, mapped, contract);
  const sources = new Map(sizes.rows.map((r) => [r.field, `${r.field} ${r.value} from ${r.source}`]));
  const expectations = new Expectations(sizes.vars, sources);
  const tensors = mapped.entries.map((e, i) => tensorRow(e, mapped.matches[i]!, expectations));
  const counted = tally(tensors);
  const parameterCount = counted.parameterElements;
  const { missing, missingCount } = contract
    ? missingTensors(contract, mapped, naming, sizes.vars, tied.value ?? contract.constraints.tied_embeddings)
    : { missing: [], missingCount: 0 };
  const report: Omit<FileReport, 'failedChecks'> = {
    kind: 'model-file',
    input: files.input,
    format: files.format,
    files: files.files,
    ignoredFiles: files.ignoredFiles,
    totalBytes: sum(files.files.map((f) => f.bytes)),
    family: contract?.family ?? null,
    displayName: contract?.display_name ?? null,
    detection: { via: detection.via, reasons: detection.reasons },
    naming: contract ? naming.text : files.format === 'gguf' ? 'GGUF names' : 'unrecognised names',
    sizes: sizes.rows,
    tied,
    tensorCount: tensors.length,
    parameterCount,
    bufferTensors: counted.bufferTensors,
    bufferElements: counted.bufferElements,
    unknownTensors: counted.unknown.length,
    contractParameterCount: contract
      ? contractCount(contract, sizes.vars, tied.value ?? contract.constraints.tied_embeddings)
      : null,
    dtypes: dtypeMix(tensors),
    bitsPerWeight: parameterCount > 0 ? (8 * counted.parameterBytes) / parameterCount : 0,
    gguf: ggufSummary(files),
    stMetadata: [...files.stMetadata].map(([key, value]) => ({ key, value })),
    metadata: opts.metadata ? metadataRows(files) : null,
    tensors,
    groups: groupsOf(tensors, mapped, naming),
    missing,
    missingCount,
    unknown: counted.unknown,
    shapeMismatches: counted.shapeMismatches,
    shapesChecked: counted.shapesChecked,
    shapesUnchecked: counted.shapesUnchecked,
    configChecks: configChecks(sizes.crossChecks, tied, mapped),
    problems: [...files.problems, ...sizes.implausible.map((message) => ({ where: 'sizes', message }))],
  };
  return { ...report, failedChecks: failedChecks(report) };
}

/** The ✗ lines `inspect` prints: one for differing shapes, one for missing tensors, each failed config check, each problem. */
function failedChecks(r: Omit<FileReport, 'failedChecks'>): number {
  return (
    (r.family !== null && r.shapeMismatches.length > 0 ? 1 : 0) +
    (r.family !== null && r.missingCount > 0 ? 1 : 0) +
    r.configChecks.filter((c) => !c.ok).length +
    r.problems.length
  );
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The counts and lists the report draws from its rows, in one pass: with
 * 100,000 rows, each filter-and-map would be two arrays of 100,000 made and dropped.
 */
function tally(tensors: readonly FileTensor[]) {
  const out = {
    parameterElements: 0,
    parameterBytes: 0,
    bufferTensors: 0,
    bufferElements: 0,
    unknown: [] as string[],
    shapeMismatches: [] as FileReport['shapeMismatches'],
    shapesChecked: 0,
    /** Mapped tensors whose shape could not be checked (a size the file does not give), and the first reason. */
    shapesUnchecked: { count: 0, firstReason: null } as FileReport['shapesUnchecked'],
  };
  for (const t of tensors) {
    if (t.kind === 'buffer') {
      out.bufferTensors++;
      out.bufferElements += t.elements;
    } else {
      out.parameterElements += t.elements;
      out.parameterBytes += t.bytes;
    }
    if (t.kind === 'unknown') out.unknown.push(t.name);
    if (t.check === 'mismatch')
      out.shapeMismatches.push({
        name: t.name,
        actual: t.shape,
        expected: t.expected ?? [],
        expression: t.template ?? '',
        because: t.note ?? '',
      });
    if (t.check !== 'unchecked') out.shapesChecked++;
    else if (t.kind !== 'unknown' && t.template !== null && out.shapesUnchecked.count++ === 0)
      out.shapesUnchecked.firstReason = t.note ?? null;
  }
  return out;
}

/**
 * What a template's shape should be at this size, worked out once per template
 * and form (the sizes are the same for every tensor): 100,000 tensors of a few
 * templates cost a few evaluations, not 100,000.
 */
class Expectations {
  private readonly cache = new Map<TensorTemplate, Map<string, Expected>>();
  constructor(
    private readonly vars: Vars,
    private readonly sources: ReadonlyMap<string, string>,
  ) {}

  of(t: TensorTemplate, kind: NameMatchKind): Expected {
    let byKind = this.cache.get(t);
    if (!byKind) this.cache.set(t, (byKind = new Map()));
    let e = byKind.get(kind);
    if (!e) byKind.set(kind, (e = this.compute(t, kind)));
    return e;
  }

  private compute(t: TensorTemplate, kind: NameMatchKind): Expected {
    const exprs = shapeExpressions(t, kind);
    let shape: number[];
    try {
      shape = exprs.map((x) => evaluate(x, this.vars));
    } catch (err) {
      if (!(err instanceof MicrogptError)) throw err;
      return { exprs, shape: null, why: `not checked: ${err.message.replace(/^shape expression /, '')}` };
    }
    // Name the sizes behind the expectation, so a wrong config field is found from the tensor it contradicts.
    const names = [...new Set(exprs.flatMap((x) => x.match(/[A-Za-z_]\w*/g) ?? []))];
    const why = names.map((n) => this.sources.get(n)).filter((x): x is string => x !== undefined);
    return {
      exprs,
      shape,
      why: `[${exprs.join(', ')}] = [${shape.join(', ')}]${why.length ? ` (${why.join('; ')})` : ''}`,
    };
  }
}

type NameMatchKind = NameMatch['kind'];
/** A template's expected shape, or null with the reason it could not be worked out. */
interface Expected {
  exprs: string[];
  shape: number[] | null;
  why: string;
}

/** One tensor's row, built as one object (100,000 of them: no intermediate copies). */
function tensorRow(e: TensorEntry, match: NameMatch | null, expectations: Expectations): FileTensor {
  if (!match) {
    const role = bufferRole(e, null);
    return {
      name: e.name,
      shape: e.shape,
      dtype: e.dtype,
      elements: e.elements,
      bytes: e.bytes,
      file: e.file,
      offset: e.offset,
      role,
      kind: role ? 'buffer' : 'unknown',
      layer: null,
      expert: null,
      template: null,
      expected: null,
      check: 'unchecked',
      note: role ? 'a stored constant, not a parameter' : 'no template of the family names this tensor',
    };
  }
  const t = match.template;
  const x = expectations.of(t, match.kind);
  const ok = x.shape !== null && x.shape.length === e.shape.length && x.shape.every((d, i) => d === e.shape[i]);
  return {
    name: e.name,
    shape: e.shape,
    dtype: e.dtype,
    elements: e.elements,
    bytes: e.bytes,
    file: e.file,
    offset: e.offset,
    role: t.role,
    kind: t.buffer ? 'buffer' : 'parameter',
    layer: match.layer,
    expert: match.expert,
    template: match.kind === 'gguf' ? t.gguf! : match.kind === 'gguf_stacked' ? t.gguf_stacked! : t.name,
    expected: x.shape,
    check: x.shape === null ? 'unchecked' : ok ? 'ok' : 'mismatch',
    note: ok ? null : x.why,
  };
}

/** Whether the output head is the embedding: config.json says so, or the file's tensors show it. */
function tiedness(files: ModelFiles, mapped: Mapped, contract: Contract | null): FileReport['tied'] {
  const flag = files.config?.json.tie_word_embeddings;
  if (typeof flag === 'boolean') return { value: flag, source: 'config.json tie_word_embeddings' };
  if (!contract) return { value: null, source: 'unknown family' };
  const head = findRole(mapped, 'lm_head');
  if (!head) return { value: true, source: 'the file has no output head: the token embedding serves as one' };
  // A family that ties its head, stored with a head anyway: converters (llama.cpp) write a copy of the embedding.
  const copy = contract.constraints.tied_embeddings && !(contract.variants?.tied_embeddings ?? []).includes(false);
  return {
    value: false,
    source: copy
      ? `the file has its own output head ${clip(head.entry.name)}; ${contract.family} ties it to the embedding, so it is likely a copy (${head.entry.elements.toLocaleString('en-US')} elements counted twice)`
      : 'the file has its own output head',
  };
}

function contractCount(c: Contract, vars: Vars, tied: boolean): number | null {
  try {
    return sum(
      parameterTemplates(c, tied).map((t) => copiesOf(t, vars) * t.shape.reduce((p, e) => p * evaluate(e, vars), 1)),
    );
  } catch (err) {
    if (err instanceof MicrogptError) return null;
    throw err;
  }
}

/** Every tensor the contract expects at this size that the file lacks, in the file's own naming. */
function missingTensors(
  c: Contract,
  mapped: Mapped,
  naming: Naming,
  vars: Vars,
  tied: boolean,
): { missing: FileReport['missing']; missingCount: number } {
  const present = new SortedNames(mapped.entries);
  const missing: FileReport['missing'] = [];
  let missingCount = 0;
  const note = (name: string, role: string, count = 1) => {
    missingCount += count;
    if (missing.length < MISSING_LISTED) missing.push({ name, role });
  };
  let looked = 0;
  for (const t of parameterTemplates(c, tied)) {
    if (naming.kind === 'gguf' && !t.gguf && !t.gguf_stacked) continue;
    if (looked > MAX_EXPECTED) break;
    if (t.count !== undefined) {
      countedMissing(t, mapped, vars, note);
      continue;
    }
    const layers = t.name.includes('{n}') ? (vars.layers ?? 0) : 1;
    const experts = t.name.includes('{e}') ? (vars.experts ?? 0) : 1;
    for (let n = 0; n < layers; n++) {
      const stacked = naming.kind === 'gguf' && t.gguf_stacked ? nameInFile(t, naming, n, 0, true) : null;
      if (stacked && present.has(stacked)) continue;
      for (let e = 0; e < experts && looked <= MAX_EXPECTED; e++, looked++) {
        const name = nameInFile(t, naming, n, e);
        if (name && !present.has(name)) note(stacked && e === 0 && !t.gguf ? stacked : name, t.role);
      }
    }
  }
  return { missing, missingCount };
}

/**
 * The file's tensor names, sorted, to look names up by bisection: an array of
 * 100,000 names is a third of a Set of them, and it is made once, at its size.
 */
class SortedNames {
  private readonly names: string[];
  constructor(entries: readonly TensorEntry[]) {
    // The default order compares UTF-16 code units, as `<` does below.
    this.names = entries.map((e) => e.name).sort();
  }

  has(name: string): boolean {
    const xs = this.names;
    let [lo, hi] = [0, xs.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (xs[mid]! < name) lo = mid + 1;
      else hi = mid;
    }
    return xs[lo] === name;
  }
}

/** A template with an explicit count (DeepSeek's MoE layers): compare how many the file holds. */
function countedMissing(
  t: TensorTemplate,
  mapped: Mapped,
  vars: Vars,
  note: (name: string, role: string, count: number) => void,
): void {
  let want: number;
  try {
    want = copiesOf(t, vars);
  } catch {
    return;
  }
  let have = 0;
  mapped.matches.forEach((m, i) => {
    if (m?.template === t) have += m.kind === 'gguf_stacked' ? (mapped.entries[i]!.shape[0] ?? 1) : 1;
  });
  if (have < want) note(`${t.name} (${want - have} of ${want} absent)`, t.role, want - have);
}

function dtypeMix(tensors: readonly FileTensor[]): FileReport['dtypes'] {
  const by = new Map<string, { dtype: string; tensors: number; elements: number; bytes: number }>();
  for (const t of tensors) {
    const d = by.get(t.dtype) ?? { dtype: t.dtype, tensors: 0, elements: 0, bytes: 0 };
    d.tensors++;
    d.elements += t.elements;
    d.bytes += t.bytes;
    by.set(t.dtype, d);
  }
  const total = sum([...by.values()].map((d) => d.bytes));
  return [...by.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .map((d) => ({
      ...d,
      bitsPerWeight: d.elements ? (8 * d.bytes) / d.elements : 0,
      shareOfBytes: total ? d.bytes / total : 0,
    }));
}

function ggufSummary(files: ModelFiles): FileReport['gguf'] {
  const g = files.gguf;
  if (!g) return null;
  const ft = ggufNumber(g, 'general.file_type');
  const tokens = g.metadata.get('tokenizer.ggml.tokens')?.value;
  return {
    version: g.version,
    alignment: g.alignment,
    architecture: ggufString(g, 'general.architecture') ?? null,
    fileType: ft === undefined ? null : { id: ft, name: LLAMA_FILE_TYPES.get(ft) ?? `unknown file type ${ft}` },
    metadataCount: g.metadata.size,
    vocabulary:
      typeof tokens === 'object' && tokens !== null && typeof tokens !== 'bigint' && 'length' in tokens
        ? tokens.length
        : null,
  };
}

/** Key/values as text; arrays summarised as type × length and their first elements. */
function metadataRows(files: ModelFiles): NonNullable<FileReport['metadata']> {
  if (!files.gguf)
    return [...files.stMetadata].map(([key, value]) => ({ key, type: 'string', value: quote(value, MAX_VALUE_CHARS) }));
  return [...files.gguf.metadata.values()].map((kv) => ({
    key: kv.key,
    type: kv.type,
    value: valueText(kv.value, kv.type),
  }));
}

const MAX_VALUE_CHARS = 200;
function valueText(v: GgufValue, type?: string): string {
  if (typeof v === 'object' && v !== null && typeof v !== 'bigint') {
    const shown = v.values.map((x) => valueText(x, v.elementType)).join(', ');
    return `[${v.elementType} × ${v.length}] [${shown}${v.length > v.values.length ? ', …' : ''}]`;
  }
  // A float32 as the shortest decimal that reads back as it (1e-5, not 0.000009999999747378752).
  if (type === 'f32' && typeof v === 'number') return float32Text(v);
  return typeof v === 'string' ? quote(v, MAX_VALUE_CHARS) : clip(String(v), MAX_VALUE_CHARS);
}

/**
 * Tensors of one template (all layers and experts) as one row, for a readable
 * listing of big models. A name no template gives (a buffer like Llama-2's
 * rotary_emb.inv_freq, an unknown tensor) is grouped by its name with each run
 * of digits as {n}, its first number taken as the layer.
 */
function groupsOf(tensors: readonly FileTensor[], mapped: Mapped, naming: Naming): FileReport['groups'] {
  // Rows are built in place: a file of 100,000 unknown tensors has up to 100,000 groups, so nothing per group beyond the row.
  const groups = new Map<string, FileReport['groups'][number]>();
  const layers = new Map<string, LayerRuns>();
  tensors.forEach((t, i) => {
    const m = mapped.matches[i]!;
    const generic = m ? null : numbered(t.name);
    const key = m ? (templateInFile(m.template, naming, m.kind === 'gguf_stacked') ?? t.name) : generic!.template;
    const g = groups.get(key);
    if (!g)
      groups.set(key, {
        template: key,
        role: t.role,
        kind: t.kind,
        count: 1,
        shape: t.shape,
        shapeVaries: false,
        dtypes: [{ dtype: t.dtype, count: 1 }],
        layers: '',
      });
    else {
      g.count++;
      if (!g.shapeVaries && (g.shape.length !== t.shape.length || g.shape.some((d, k) => d !== t.shape[k])))
        g.shapeVaries = true;
      const d = g.dtypes.find((x) => x.dtype === t.dtype);
      if (d) d.count++;
      else g.dtypes.push({ dtype: t.dtype, count: 1 });
    }
    const layer = t.layer ?? generic?.first ?? null;
    if (layer !== null) {
      const runs = layers.get(key);
      if (runs) runs.add(layer);
      else layers.set(key, new LayerRuns(layer));
    }
  });
  for (const [key, runs] of layers) groups.get(key)!.layers = runs.text();
  return [...groups.values()];
}

/**
 * A group's layers as runs of consecutive numbers, grown as tensors come: a
 * group of 100,000 tensors in layer order is one run, not a list of 100,000.
 */
class LayerRuns {
  /** Runs [first, last], flat, in the order they were started. */
  private readonly runs: number[];
  constructor(layer: number) {
    this.runs = [layer, layer];
  }

  add(layer: number): void {
    const r = this.runs;
    const [first, last] = [r[r.length - 2]!, r[r.length - 1]!];
    if (layer >= first - 1 && layer <= last + 1) {
      r[r.length - 2] = Math.min(first, layer);
      r[r.length - 1] = Math.max(last, layer);
    } else r.push(layer, layer);
  }

  /** [0–3] [7] [2–5] → "0–5, 7". */
  text(): string {
    const r = this.runs;
    const order = Array.from({ length: r.length / 2 }, (_, k) => k).sort((a, b) => r[2 * a]! - r[2 * b]!);
    const out: string[] = [];
    let [first, last] = [r[2 * order[0]!]!, r[2 * order[0]! + 1]!];
    const flush = () => out.push(first === last ? String(first) : `${first}–${last}`);
    for (const k of order.slice(1)) {
      const [a, b] = [r[2 * k]!, r[2 * k + 1]!];
      if (a <= last + 1) last = Math.max(last, b);
      else {
        flush();
        [first, last] = [a, b];
      }
    }
    flush();
    return out.join(', ');
  }
}

/** "model.layers.12.x.inv_freq" → template "model.layers.{n}.x.inv_freq", first number 12 (null when there is none). */
function numbered(name: string): { template: string; first: number | null } {
  let template = '',
    first: number | null = null;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) {
      template += name[i];
      continue;
    }
    let j = i;
    while (j + 1 < name.length && name.charCodeAt(j + 1) >= 48 && name.charCodeAt(j + 1) <= 57) j++;
    // Numbers past 2^53 are not layers; the digits still group.
    if (first === null && j - i < 15) first = Number(name.slice(i, j + 1));
    template += '{n}';
    i = j;
  }
  return { template, first };
}

function configChecks(
  crossChecks: ReturnType<typeof readSizes>['crossChecks'],
  tied: FileReport['tied'],
  mapped: Mapped,
): FileReport['configChecks'] {
  const out: FileReport['configChecks'] = crossChecks.map((c) =>
    c.declared === c.derived
      ? { field: c.field, ok: true, message: `${c.declaredSource} = ${c.declared}, as ${c.derivedSource} shows` }
      : {
          field: c.field,
          ok: false,
          message: `${c.declaredSource} = ${c.declared}, but ${c.derivedSource} gives ${c.field} = ${c.derived}`,
        },
  );
  if (tied.source === 'config.json tie_word_embeddings') {
    const head = findRole(mapped, 'lm_head');
    if (tied.value && head)
      out.push({
        field: 'tie_word_embeddings',
        ok: false,
        message: `config.json tie_word_embeddings = true, but the file has its own output head ${clip(head.entry.name)}`,
      });
    else if (!tied.value && !head)
      out.push({
        field: 'tie_word_embeddings',
        ok: false,
        message: 'config.json tie_word_embeddings = false, but the file has no output head (lm_head)',
      });
    else
      out.push({
        field: 'tie_word_embeddings',
        ok: true,
        message: `config.json tie_word_embeddings = ${tied.value}, and the file ${head ? `has its own output head ${clip(head.entry.name)}` : 'has no output head'}`,
      });
  }
  return out;
}
