import { MicrogptError } from '../errors.js';
import { quote } from '../clip.js';
import { Cursor } from './cursor.js';
import { withFile } from './file.js';
import { ggmlType } from './ggml.js';
import { SharedShapes } from './shapes.js';
import { LIMITS, type Problem, type TensorEntry } from './types.js';

/** GGUF's value types, by id. */
const VALUE_TYPES = [
  'u8',
  'i8',
  'u16',
  'i16',
  'u32',
  'i32',
  'f32',
  'bool',
  'string',
  'array',
  'u64',
  'i64',
  'f64',
] as const;
export type GgufValueType = (typeof VALUE_TYPES)[number];
const FIXED_SIZE: Partial<Record<GgufValueType, number>> = {
  u8: 1,
  i8: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  bool: 1,
  u64: 8,
  i64: 8,
  f64: 8,
};

export type GgufScalar = number | bigint | boolean | string;
/** An array value: its element type and length, and its elements when asked for (else the first few). */
export interface GgufArray {
  type: 'array';
  elementType: GgufValueType;
  length: number;
  values: GgufValue[];
  complete: boolean;
}
export type GgufValue = GgufScalar | GgufArray;

export interface GgufKv {
  key: string;
  type: GgufValueType;
  value: GgufValue;
}

export interface GgufHeader {
  path: string;
  fileSize: number;
  version: number;
  metadata: Map<string, GgufKv>;
  alignment: number;
  /** Where the tensor data section starts (aligned end of the tensor infos). */
  dataStart: number;
  /** Shapes outermost first (GGUF stores them innermost first); dtype is the ggml type's name. */
  tensors: TensorEntry[];
  problems: Problem[];
}

/** How many elements of a skipped array to keep as a sample. */
const SAMPLE = 3;

/**
 * Reads a GGUF v2/v3 header: magic, version, metadata key/values and tensor
 * infos. Large arrays (token lists, merges) are walked but not kept unless
 * `fullArrays`; the tensor data is never read. Unreadable structure throws
 * MG064; defects in single tensors are collected as problems.
 */
export function readGgufHeader(path: string, opts: { fullArrays?: boolean } = {}): GgufHeader {
  return withFile(
    path,
    (f) => {
      const c = new Cursor(f, 'MG064');
      const magic = c.bytes(4, 'the magic number');
      if (magic.toString('latin1') !== 'GGUF') c.fail('does not start with the GGUF magic number');
      const version = c.u32('the version');
      if (version === 1) c.fail('is GGUF version 1 (32-bit counts), which llama.cpp no longer reads; convert it again');
      if (version !== 2 && version !== 3) c.fail(`GGUF version ${version} is not one this tool reads (2 or 3)`);
      const tensorCount = c.u64('the tensor count');
      const kvCount = c.u64('the metadata count');
      // Each key/value needs at least 13 bytes and each tensor info 24: a count the file cannot hold is a lie.
      if (kvCount > LIMITS.ggufKvCount || kvCount * 13 > c.remaining)
        c.fail(`claims ${kvCount} metadata entries, more than the file (or the ${LIMITS.ggufKvCount} limit) can hold`);
      if (tensorCount > LIMITS.ggufTensorCount || tensorCount * 24 > c.remaining)
        c.fail(`claims ${tensorCount} tensors, more than the file (or the ${LIMITS.ggufTensorCount} limit) can hold`);
      const metadata = new Map<string, GgufKv>();
      const problems: Problem[] = [];
      for (let i = 0; i < kvCount; i++) {
        const key = readString(c, `metadata key ${i}`);
        // How messages name it: quoted, and clipped when the file made it long.
        const label = `metadata ${quote(key)}`;
        const type = valueType(c, c.u32(`the type of ${label}`), label);
        const value = readValue(c, type, label, 0, opts.fullArrays === true);
        if (metadata.has(key)) problems.push({ where: label, message: 'appears twice' });
        metadata.set(key, { key, type, value });
      }
      const alignment = alignmentOf(metadata, c);
      // The data starts after the last tensor info, so the infos are read twice: once to find where they end
      // (every length checked, nothing kept), then into the records, each made once and checked in order.
      const shapes = new SharedShapes();
      const infosStart = c.pos;
      for (let i = 0; i < tensorCount; i++) readTensorInfo(c, i, shapes);
      const infosEnd = c.pos;
      const dataStart = Math.ceil(infosEnd / alignment) * alignment;
      c.pos = infosStart;
      const tensors = tensorEntries(
        c,
        tensorCount,
        shapes,
        { path, dataStart, dataLen: f.size - dataStart, alignment },
        problems,
      );
      if (c.pos !== infosEnd) c.fail('changed while it was being read; try again');
      return { path, fileSize: f.size, version, metadata, alignment, dataStart, tensors, problems };
    },
    'MG064',
  );
}

function readString(c: Cursor, what: string): string {
  const n = c.u64(`the length of ${what}`);
  if (n > LIMITS.ggufStringBytes) c.fail(`${what} claims ${n} bytes (at most ${LIMITS.ggufStringBytes})`);
  return c.bytes(n, what).toString('utf8');
}

/** `label` names the key in messages: `metadata "general.name"`. */
function valueType(c: Cursor, id: number, label: string): GgufValueType {
  const t = VALUE_TYPES[id];
  if (t === undefined) c.fail(`${label} has value type ${id}, which GGUF does not define (0..12)`);
  return t;
}

function readValue(c: Cursor, type: GgufValueType, key: string, depth: number, full: boolean): GgufValue {
  switch (type) {
    case 'u8':
      return c.u8(key);
    case 'i8':
      return (c.u8(key) << 24) >> 24;
    case 'u16':
      return c.bytes(2, key).readUInt16LE(0);
    case 'i16':
      return c.bytes(2, key).readInt16LE(0);
    case 'u32':
      return c.u32(key);
    case 'i32':
      return c.i32(key);
    case 'f32':
      return c.f32(key);
    case 'bool':
      return c.u8(key) !== 0;
    case 'u64':
      return c.big(key, false);
    case 'i64':
      return c.big(key, true);
    case 'f64':
      return c.f64(key);
    case 'string':
      return readString(c, key);
    case 'array':
      return readArray(c, key, depth, full);
  }
}

function readArray(c: Cursor, key: string, depth: number, full: boolean): GgufArray {
  if (depth >= LIMITS.ggufArrayDepth) c.fail(`${key} nests arrays deeper than ${LIMITS.ggufArrayDepth}`);
  const elementType = valueType(c, c.u32(`the element type of ${key}`), key);
  const length = c.u64(`the length of ${key}`);
  const size = FIXED_SIZE[elementType];
  // Every element takes at least one byte (strings and arrays at least eight): check before looping.
  if (length * (size ?? 8) > c.remaining) c.fail(`${key} claims ${length} elements, more than the file holds`);
  const values: GgufValue[] = [];
  const keep = full ? length : Math.min(length, SAMPLE);
  for (let i = 0; i < keep; i++) values.push(readValue(c, elementType, key, depth + 1, full));
  const rest = length - keep;
  if (size !== undefined) c.skip(rest * size, key);
  else if (elementType === 'string')
    for (let i = 0; i < rest; i++) c.skip(c.u64(`the length of an element of ${key}`), key);
  else for (let i = 0; i < rest; i++) readValue(c, elementType, key, depth + 1, false);
  return { type: 'array', elementType, length, values, complete: keep === length };
}

function alignmentOf(metadata: Map<string, GgufKv>, c: Cursor): number {
  const a = metadata.get('general.alignment')?.value;
  if (a === undefined) return 32;
  if (typeof a !== 'number' || a < 1 || a > 1 << 30 || (a & (a - 1)) !== 0)
    c.fail(`general.alignment is ${String(a)}; it must be a power of two`);
  return a as number;
}

/** One tensor info as stored: name, shape (outermost first; GGUF stores it innermost first), ggml type id, data offset. */
function readTensorInfo(c: Cursor, i: number, shapes: SharedShapes) {
  const name = readString(c, `tensor ${i}'s name`);
  const label = `tensor ${quote(name)}`;
  const nDims = c.u32(`the dimension count of ${label}`);
  if (nDims > LIMITS.maxDims) c.fail(`${label} claims ${nDims} dimensions (at most ${LIMITS.maxDims})`);
  const dims = new Array<number>(nDims);
  for (let d = 0; d < nDims; d++) dims[nDims - 1 - d] = c.u64(`dimension ${d} of ${label}`);
  const typeId = c.u32(`the type of ${label}`);
  const rel = c.u64(`the offset of ${label}`);
  return { name, shape: shapes.of(dims), typeId, rel };
}

/** The tensor infos from the cursor, as records: defects in single tensors are problems, in file order. */
function tensorEntries(
  c: Cursor,
  count: number,
  shapes: SharedShapes,
  at: { path: string; dataStart: number; dataLen: number; alignment: number },
  problems: Problem[],
): TensorEntry[] {
  const { dataStart, dataLen, alignment } = at;
  const tensors: TensorEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const { name, shape, typeId, rel } = readTensorInfo(c, i, shapes);
    const bad = (message: string) => problems.push({ where: `tensor ${quote(name)}`, message });
    /** The dimensions in GGUF's order, for messages. */
    const dims = () => [...shape].reverse();
    if (seen.has(name)) {
      bad('appears twice in the tensor infos');
      continue;
    }
    seen.add(name);
    const t = ggmlType(typeId);
    const elements = shape.reduce((a, b) => a * b, 1);
    if (!t) {
      bad(`ggml type ${typeId} is not one ggml defines`);
      continue;
    }
    if (!Number.isSafeInteger(elements * t.typeSize)) {
      bad(`dimensions [${dims().join(', ')}] are too large`);
      continue;
    }
    if (t.removed) bad(`ggml type ${t.name} was removed from ggml; llama.cpp no longer loads it`);
    if ((shape.at(-1) ?? 1) % t.blockSize !== 0)
      bad(`first dimension ${dims()[0]} is not a multiple of ${t.name}'s block size ${t.blockSize}`);
    const bytes = Math.ceil(elements / t.blockSize) * t.typeSize;
    if (rel % alignment !== 0) bad(`data offset ${rel} is not a multiple of the alignment ${alignment}`);
    if (rel + bytes > dataLen)
      bad(`data [${rel}, ${rel + bytes}) runs past the end of the data section (${dataLen} bytes)`);
    tensors.push({ name, dtype: t.name, shape, elements, bytes, file: at.path, offset: dataStart + rel });
  }
  checkLayout(tensors, dataStart, dataLen, alignment, problems);
  return tensors;
}

/** No tensor's data overlaps the next one's, and nothing follows the last but its alignment padding. */
function checkLayout(
  tensors: readonly TensorEntry[],
  dataStart: number,
  dataLen: number,
  alignment: number,
  problems: Problem[],
): void {
  const rel = (i: number) => tensors[i]!.offset - dataStart;
  // In data order (a stable sort: equal offsets in file order); files written in data order need no sorting.
  let sorted = true;
  for (let k = 1; k < tensors.length && sorted; k++) sorted = rel(k - 1) <= rel(k);
  const order = sorted ? null : Array.from(tensors.keys()).sort((a, b) => rel(a) - rel(b));
  const at = (k: number) => (order ? order[k]! : k);
  for (let k = 1; k < tensors.length; k++) {
    const [i, p] = [at(k), at(k - 1)];
    const end = rel(p) + tensors[p]!.bytes;
    if (rel(i) < end)
      problems.push({
        where: `tensor ${quote(tensors[i]!.name)}`,
        message: `data at ${rel(i)} overlaps ${quote(tensors[p]!.name)} (${rel(p)}..${end})`,
      });
  }
  if (tensors.length) {
    const last = at(tensors.length - 1);
    const end = Math.ceil((rel(last) + tensors[last]!.bytes) / alignment) * alignment;
    if (dataLen > end)
      problems.push({
        where: 'data section',
        message: `${dataLen - end} bytes after the last tensor belong to no tensor`,
      });
  }
}

/** A metadata value as a plain number, if it is one. */
export function ggufNumber(h: GgufHeader, key: string): number | undefined {
  const v = h.metadata.get(key)?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function ggufString(h: GgufHeader, key: string): string | undefined {
  const v = h.metadata.get(key)?.value;
  return typeof v === 'string' ? v : undefined;
}
