import { MicrogptError } from '../errors.js';
import { quote } from '../clip.js';
import { SAFETENSORS_DTYPE_BITS } from './dtypes.js';
import { readAt, withFile, type OpenFile } from './file.js';
import { JsonBytes } from './json-bytes.js';
import { SharedShapes } from './shapes.js';
import { LIMITS, type Problem, type TensorEntry } from './types.js';

export interface SafetensorsHeader {
  path: string;
  fileSize: number;
  headerBytes: number;
  /** Where the data section starts: 8 + the header length. */
  dataStart: number;
  metadata: Map<string, string>;
  tensors: TensorEntry[];
  problems: Problem[];
  /**
   * A rule broken that stops the reading: a `__metadata__` value that is not a
   * string (the format allows only strings there). Nothing after it is read.
   */
  refused: Problem | null;
}

/**
 * Reads only the header of a safetensors file: the 8-byte length, then that
 * many bytes of JSON. The data is never touched, so a 100 GB file costs what a
 * 10 MB one does. What makes the file unreadable throws (MG063); defects in
 * single entries (unknown dtype, offsets out of bounds, overlaps, holes,
 * a name given twice) are collected as problems so that every other tensor
 * can still be listed.
 */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  return withFile(path, (f) => parseHeader(f));
}

function parseHeader(f: OpenFile): SafetensorsHeader {
  const { json, dataStart, fail } = headerJson(f);
  const scanned = scanSafetensorsHeader(json, { file: f.path, dataStart, dataLen: f.size - dataStart, fail });
  return { path: f.path, fileSize: f.size, headerBytes: dataStart - 8, dataStart, ...scanned };
}

/** The JSON bytes of a safetensors header, its length checked against the limit and the file. */
function headerJson(f: OpenFile): { json: Buffer; dataStart: number; fail: (msg: string) => never } {
  const fail = (msg: string): never => {
    throw new MicrogptError('MG063', `${f.path}: ${msg}`);
  };
  if (f.size < 8) fail(`truncated: ${f.size} bytes, but a safetensors file starts with an 8-byte header length`);
  const n = readAt(f, 0, 8).readBigUInt64LE(0);
  if (n > BigInt(LIMITS.safetensorsHeaderBytes))
    fail(
      `header length ${n} bytes exceeds the ${LIMITS.safetensorsHeaderBytes}-byte limit; not a safetensors file, or corrupt`,
    );
  const headerBytes = Number(n);
  if (headerBytes < 2) fail(`header length is ${headerBytes} bytes; a safetensors header is a JSON object, "{…}"`);
  if (8 + headerBytes > f.size)
    fail(`header length ${headerBytes} runs past the end of the file (${f.size} bytes): truncated or corrupt`);
  return { json: readAt(f, 8, headerBytes), dataStart: 8 + headerBytes, fail };
}

/**
 * A safetensors header's `__metadata__` alone, for telling a microgpt
 * checkpoint from other files: the header is walked (its syntax checked as the
 * full reader checks it) but no tensor entry is kept, so a header of 100,000
 * tensors costs its bytes, not 100,000 records that are dropped at once. Null
 * when the walk meets anything the full reader reports as an error (broken
 * JSON, a non-string metadata value): the full reader then says it.
 */
export function readSafetensorsMetadata(path: string): Map<string, string> | null {
  return withFile(path, (f) => {
    try {
      const { json, fail } = headerJson(f);
      return walkMetadata(new JsonBytes(json, fail, LIMITS.safetensorsJsonDepth, 8));
    } catch (e) {
      if (e instanceof MicrogptError) return null;
      throw e;
    }
  });
}

/** The header's object, every tensor entry skipped; `__metadata__` read as scanSafetensorsHeader reads it. */
function walkMetadata(j: JsonBytes): Map<string, string> | null {
  if (j.kind() !== 'object') return null;
  const metadata = new Map<string, string>();
  if (j.open(0x7b, 0x7d, '"{"')) {
    do {
      if (!j.keyIs('__metadata__')) j.skip(1);
      else if (readMetadata(j, metadata, [])) return null;
    } while (j.more(0x7d));
  }
  j.done();
  return metadata;
}

export interface ScannedHeader {
  metadata: Map<string, string>;
  tensors: TensorEntry[];
  problems: Problem[];
  refused: Problem | null;
}

/** Byte ranges of the tensors read, in the data section, for the tiling check. */
interface Ranges {
  names: string[];
  begin: number[];
  end: number[];
}

/**
 * One pass over the header's JSON bytes, keeping only compact tensor records:
 * no object tree is built, nesting is bounded, a name given twice is seen
 * (JSON.parse would silently keep the last), and a `__metadata__` value that is
 * not a string stops the reading there, unparsed. Syntax errors throw through `fail`.
 */
export function scanSafetensorsHeader(
  json: Uint8Array,
  at: {
    file: string;
    dataStart: number;
    dataLen: number;
    fail: (msg: string) => never;
    /** Entry fields other than dtype, shape and data_offsets are problems, not skipped (a checkpoint has none). */
    strict?: boolean;
  },
): ScannedHeader {
  const j = new JsonBytes(json, (m) => at.fail(`header is not valid JSON: ${m}`), LIMITS.safetensorsJsonDepth, 8);
  if (j.kind() !== 'object') at.fail('header is not a JSON object');
  const out: ScannedHeader = { metadata: new Map(), tensors: [], problems: [], refused: null };
  const ranges: Ranges = { names: [], begin: [], end: [] };
  const shapes = new SharedShapes();
  const seen = new Set<string>();
  let metadataSeen = false;
  if (j.open(0x7b, 0x7d, '"{"')) {
    do {
      const name = j.key();
      if (name === '__metadata__') {
        if (metadataSeen)
          out.problems.push({ where: '__metadata__', message: 'appears twice in the header', code: 'MG056' });
        metadataSeen = true;
        out.refused = readMetadata(j, out.metadata, out.problems);
        if (out.refused) return out;
        continue;
      }
      if (seen.has(name)) {
        out.problems.push({
          where: `tensor ${quote(name)}`,
          message: 'appears twice in the header (JSON readers keep only the last; the first is listed here)',
          code: 'MG053',
        });
        readEntry(j, name, at, out.problems, ranges, shapes);
        continue;
      }
      seen.add(name);
      const t = readEntry(j, name, at, out.problems, ranges, shapes);
      if (t) out.tensors.push(t);
    } while (j.more(0x7d));
  }
  j.done();
  checkTiling(ranges, at.dataLen, out.problems);
  return out;
}

/** `__metadata__`: an object of strings, and nothing else; the first value of another kind is a refusal. */
function readMetadata(j: JsonBytes, into: Map<string, string>, problems: Problem[]): Problem | null {
  const kind = j.kind();
  if (kind !== 'object')
    return {
      where: '__metadata__',
      message: `is ${a(kind)}; the safetensors format makes it an object of strings`,
      code: 'MG056',
    };
  if (!j.open(0x7b, 0x7d, '"{"')) return null;
  do {
    const key = j.key();
    const k = j.kind();
    if (k !== 'string')
      return {
        where: `__metadata__[${quote(key)}]`,
        message: `is ${a(k)}, not a string; the safetensors format allows only strings in __metadata__`,
        code: 'MG056',
      };
    if (into.has(key)) problems.push({ where: `__metadata__[${quote(key)}]`, message: 'appears twice', code: 'MG056' });
    into.set(key, j.string());
  } while (j.more(0x7d));
  return null;
}

const FIELDS = ['dtype', 'shape', 'data_offsets'] as const;
const DTYPE_NAMES = [...SAFETENSORS_DTYPE_BITS.keys()];
/** A dtype as read: the table's own string when it is one (so all tensors share it), else the text as written. */
const dtypeName = (x: number | string): string => (typeof x === 'number' ? DTYPE_NAMES[x]! : x);

const a = (kind: string): string =>
  kind === 'object' ? 'an object' : kind === 'array' ? 'an array' : kind === 'number' ? 'a number' : kind;

/** One tensor's entry: `{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}`; other fields are skipped. */
function readEntry(
  j: JsonBytes,
  name: string,
  at: { file: string; dataStart: number; dataLen: number; strict?: boolean },
  problems: Problem[],
  ranges: Ranges,
  shapes: SharedShapes,
): TensorEntry | null {
  // MG053: the entry itself is malformed; MG054: its bytes do not match its shape and dtype.
  const bad = (message: string, code = 'MG053') => {
    problems.push({ where: `tensor ${quote(name)}`, message, code });
    return null;
  };
  if (j.kind() !== 'object') {
    j.skip(1);
    return bad('entry is not an object');
  }
  let dtype: string | null | undefined;
  let shape: number[] | null | undefined;
  let off: number[] | null | undefined;
  if (j.open(0x7b, 0x7d, '"{"')) {
    do {
      // Field names and dtypes are compared as bytes: 100,000 entries make no strings for them.
      const field = j.oneOf(FIELDS);
      j.expect(0x3a, '":"');
      if (field === 0) dtype = j.kind() === 'string' ? dtypeName(j.oneOf(DTYPE_NAMES)) : (j.skip(2), null);
      else if (field === 1) shape = integers(j, LIMITS.maxDims);
      else if (field === 2) off = integers(j, 2);
      else {
        j.skip(2);
        if (at.strict) bad(`has a field ${quote(String(field))} the format does not define`);
      }
    } while (j.more(0x7d));
  }
  // The bytes an entry claims are its own even when the entry is otherwise broken: the tiling check then
  // names the entry's defect once, not again as bytes that belong to no tensor.
  if (off && off.length === 2 && off[0]! <= off[1]! && off[0]! <= at.dataLen) {
    ranges.names.push(name);
    ranges.begin.push(off[0]!);
    ranges.end.push(Math.min(off[1]!, at.dataLen));
  }
  if (typeof dtype !== 'string') return bad('dtype is missing');
  const bits = SAFETENSORS_DTYPE_BITS.get(dtype);
  if (bits === undefined) return bad(`dtype ${quote(dtype)} is not a safetensors dtype`);
  if (!shape) return bad(`shape must be an array of at most ${LIMITS.maxDims} non-negative integers`);
  if (!off || off.length !== 2) return bad('data_offsets must be [begin, end] with non-negative integers');
  const [begin, end] = off as [number, number];
  let elements = 1;
  for (const d of shape) elements *= d;
  if (!Number.isSafeInteger(elements * bits)) return bad(`shape [${shape.join(', ')}] is too large`);
  const bytes = (elements * bits) / 8;
  if (begin > end || end > at.dataLen)
    return bad(`data_offsets [${begin}, ${end}] are outside the data section (${at.dataLen} bytes)`, 'MG054');
  if (bytes !== end - begin)
    return bad(
      `shape [${shape.join(', ')}] × ${dtype} needs ${bytes} bytes but data_offsets span ${end - begin}${fitsAnother(elements, end - begin, dtype)}`,
      'MG054',
    );
  // The dtype string kept is the table's own and the shape array is shared: 100,000 tensors share a handful of each.
  return { name, dtype, shape: shapes.of(shape), elements, bytes, file: at.file, offset: at.dataStart + begin };
}

/** When a span is what the same elements take in another float dtype, say so: F32 bytes labelled BF16 is a common slip. */
function fitsAnother(elements: number, span: number, dtype: string): string {
  const other = ['F32', 'F16', 'BF16', 'F64'].find(
    (d) => d !== dtype && (elements * SAFETENSORS_DTYPE_BITS.get(d)!) / 8 === span,
  );
  return other ? `, what ${other} needs: the bytes disagree with the dtype (${other} data labelled ${dtype}?)` : '';
}

/** An array of at most `max` non-negative safe integers, or null (then skipped whole); a scratch array, never kept as it is. */
function integers(j: JsonBytes, max: number): number[] | null {
  if (j.kind() !== 'array') {
    j.skip(2);
    return null;
  }
  const out: number[] = [];
  let ok = true;
  if (j.open(0x5b, 0x5d, '"["')) {
    do {
      if (j.kind() === 'number') {
        const v = j.number();
        if (!Number.isSafeInteger(v) || v < 0 || out.length >= max) ok = false;
        else out.push(v);
      } else {
        j.skip(3);
        ok = false;
      }
    } while (j.more(0x5d));
  }
  return ok ? out : null;
}

/** The format allows neither overlaps nor holes: the tensors tile the data section exactly. */
function checkTiling(r: Ranges, dataLen: number, problems: Problem[]): void {
  const order = Array.from(r.begin.keys()).sort((x, y) => r.begin[x]! - r.begin[y]! || r.end[x]! - r.end[y]!);
  let covered = 0;
  let last = '';
  for (const i of order) {
    const [begin, end] = [r.begin[i]!, r.end[i]!];
    if (begin < covered)
      problems.push({
        where: `tensor ${quote(r.names[i]!)}`,
        message: `bytes ${begin}..${end} overlap tensor ${quote(last)} (which ends at ${covered})`,
        code: 'MG055',
      });
    else if (begin > covered)
      problems.push({
        where: 'data section',
        message: `bytes ${covered}..${begin} belong to no tensor`,
        code: 'MG054',
      });
    if (end >= covered) {
      covered = end;
      last = r.names[i]!;
    }
  }
  if (covered < dataLen)
    problems.push({
      where: 'data section',
      message: `bytes ${covered}..${dataLen} belong to no tensor (file length ≠ header + data: trailing bytes or a wrong header)`,
      code: 'MG054',
    });
}
