import { MicrogptError } from '../errors.js';

/** Largest header we accept: the reference implementation's own limit. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export type DType = 'F32' | 'F64';
const BYTES: Record<DType, number> = { F32: 4, F64: 8 };
/** dtypes the format defines that this tool recognises but does not read. */
const KNOWN_UNSUPPORTED = [
  'F16',
  'BF16',
  'F8_E4M3',
  'F8_E5M2',
  'I8',
  'I16',
  'I32',
  'I64',
  'U8',
  'U16',
  'U32',
  'U64',
  'BOOL',
];

export interface StTensor {
  name: string;
  dtype: DType;
  shape: number[];
  data: Float64Array;
}

export interface StFile {
  metadata: Record<string, string>;
  tensors: StTensor[];
}

/**
 * safetensors: an 8-byte little-endian header length N, N bytes of JSON
 * (padded with spaces to a multiple of 8), then the raw little-endian data
 * each tensor's data_offsets point into.
 */
export function serialize(
  tensors: readonly { name: string; shape: readonly number[]; data: Float64Array | Float32Array }[],
  metadata: Record<string, string>,
  dtype: DType = 'F32',
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const n = t.data.length * BYTES[dtype];
    header[t.name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  const view = new DataView(out.buffer, out.byteOffset + 8 + head.length, offset);
  let pos = 0;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      if (dtype === 'F32') view.setFloat32(pos, t.data[i], true);
      else view.setFloat64(pos, t.data[i], true);
      pos += BYTES[dtype];
    }
  }
  return out;
}

/** Parses and validates a whole file; every defect is a MicrogptError naming the file and the place. */
export function parse(file: string, bytes: Uint8Array): StFile {
  const fail = (code: string, msg: string): never => {
    throw new MicrogptError(code, `${file}: ${msg}`);
  };
  if (bytes.length < 8)
    fail('MG050', `truncated: ${bytes.length} bytes, but a safetensors file starts with an 8-byte header length`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const n = buf.readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES))
    fail(
      'MG051',
      `header length ${n} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit; not a safetensors file, or corrupt`,
    );
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length)
    fail(
      'MG051',
      `header length ${headerLen} runs past the end of the file (${bytes.length} bytes): truncated or corrupt`,
    );
  let header: unknown;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + headerLen));
  } catch (e) {
    fail('MG052', `header (bytes 8..${8 + headerLen}) is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('MG052', 'header is not a JSON object');
  const h = header as Record<string, unknown>;
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata = parseMetadata(h.__metadata__, fail);
  const tensors: Array<StTensor & { begin: number; end: number }> = [];
  for (const [name, entry] of Object.entries(h)) {
    if (name === '__metadata__') continue;
    tensors.push(parseEntry(name, entry, dataLen, fail));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  // The format allows neither overlaps nor holes: the tensors tile the data section exactly.
  let covered = 0;
  for (const t of tensors) {
    if (t.begin < covered)
      fail('MG055', `tensor ${JSON.stringify(t.name)} overlaps the tensor before it (bytes ${t.begin} < ${covered})`);
    if (t.begin > covered) fail('MG054', `data bytes ${covered}..${t.begin} belong to no tensor`);
    covered = t.end;
  }
  if (covered !== dataLen)
    fail('MG054', `data bytes ${covered}..${dataLen} belong to no tensor (trailing garbage or a wrong header)`);
  const view = new DataView(buf.buffer, buf.byteOffset + dataStart, dataLen);
  for (const t of tensors) {
    const size = BYTES[t.dtype];
    for (let i = 0; i < t.data.length; i++) {
      t.data[i] =
        t.dtype === 'F32' ? view.getFloat32(t.begin + i * size, true) : view.getFloat64(t.begin + i * size, true);
    }
  }
  return { metadata, tensors: tensors.map(({ name, dtype, shape, data }) => ({ name, dtype, shape, data })) };
}

function parseMetadata(m: unknown, fail: (code: string, msg: string) => never): Record<string, string> {
  if (m === undefined) return {};
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    return fail('MG056', '__metadata__ is not an object of strings');
  for (const [k, v] of Object.entries(m)) if (typeof v !== 'string') fail('MG056', `__metadata__.${k} is not a string`);
  return m as Record<string, string>;
}

function parseEntry(
  name: string,
  entry: unknown,
  dataLen: number,
  fail: (code: string, msg: string) => never,
): StTensor & { begin: number; end: number } {
  const where = `tensor ${JSON.stringify(name)}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    return fail('MG053', `${where}: entry is not an object`);
  const { dtype, shape, data_offsets: off } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string') return fail('MG053', `${where}: dtype is missing`);
  if (!(dtype in BYTES)) {
    return fail(
      'MG053',
      `${where}: dtype ${JSON.stringify(dtype)} is ${KNOWN_UNSUPPORTED.includes(dtype) ? 'not supported here' : 'unknown'}; this tool reads F32 and F64`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    return fail('MG053', `${where}: shape must be an array of non-negative integers`);
  if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return fail('MG054', `${where}: data_offsets must be [begin, end] with non-negative integers`);
  }
  const [begin, end] = off as number[];
  if (begin > end || end > dataLen)
    return fail('MG054', `${where}: data_offsets [${begin}, ${end}] are outside the data section (${dataLen} bytes)`);
  const count = shape.reduce((a: number, b: number) => a * b, 1);
  const bytes = count * BYTES[dtype as DType];
  if (bytes !== end - begin)
    return fail(
      'MG054',
      `${where}: shape [${shape.join(', ')}] × ${dtype} needs ${bytes} bytes but data_offsets span ${end - begin}`,
    );
  return { name, dtype: dtype as DType, shape: shape as number[], data: new Float64Array(count), begin, end };
}
