import { MicrogptError } from '../errors.js';
import { SAFETENSORS_DTYPE_BITS } from './dtypes.js';
import { readAt, withFile, type OpenFile } from './file.js';
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
}

/**
 * Reads only the header of a safetensors file: the 8-byte length, then that
 * many bytes of JSON. The data is never touched, so a 100 GB file costs what a
 * 10 MB one does. What makes the file unreadable throws (MG063); defects in
 * single entries (unknown dtype, offsets out of bounds, overlaps, holes) are
 * collected as problems so that every other tensor can still be listed.
 */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  return withFile(path, (f) => parseHeader(f));
}

function parseHeader(f: OpenFile): SafetensorsHeader {
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
  if (8 + headerBytes > f.size)
    fail(`header length ${headerBytes} runs past the end of the file (${f.size} bytes): truncated or corrupt`);
  let header: unknown;
  try {
    header = JSON.parse(readAt(f, 8, headerBytes).toString('utf8'));
  } catch (e) {
    fail(`header (bytes 8..${8 + headerBytes}) is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + headerBytes;
  const dataLen = f.size - dataStart;
  const problems: Problem[] = [];
  const metadata = readMetadata((header as Record<string, unknown>).__metadata__, problems);
  const tensors: Array<TensorEntry & { begin: number; end: number }> = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const t = readEntry(f.path, name, entry, dataStart, dataLen, problems);
    if (t) tensors.push(t);
  }
  checkTiling(tensors, dataLen, problems);
  return {
    path: f.path,
    fileSize: f.size,
    headerBytes,
    dataStart,
    metadata,
    tensors: tensors.map(({ begin: _b, end: _e, ...t }) => t),
    problems,
  };
}

function readMetadata(m: unknown, problems: Problem[]): Map<string, string> {
  const out = new Map<string, string>();
  if (m === undefined) return out;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) {
    problems.push({ where: '__metadata__', message: 'is not an object of strings' });
    return out;
  }
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'string') out.set(k, v);
    else problems.push({ where: `__metadata__.${k}`, message: 'is not a string' });
  }
  return out;
}

function readEntry(
  file: string,
  name: string,
  entry: unknown,
  dataStart: number,
  dataLen: number,
  problems: Problem[],
): (TensorEntry & { begin: number; end: number }) | null {
  const bad = (message: string) => {
    problems.push({ where: `tensor ${JSON.stringify(name)}`, message });
    return null;
  };
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return bad('entry is not an object');
  const { dtype, shape, data_offsets: off } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string') return bad('dtype is missing');
  const bits = SAFETENSORS_DTYPE_BITS.get(dtype);
  if (bits === undefined) return bad(`dtype ${JSON.stringify(dtype)} is not a safetensors dtype`);
  if (
    !Array.isArray(shape) ||
    shape.length > LIMITS.maxDims ||
    !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
  ) {
    return bad(`shape must be an array of at most ${LIMITS.maxDims} non-negative integers`);
  }
  if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0))
    return bad('data_offsets must be [begin, end] with non-negative integers');
  const [begin, end] = off as number[];
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(elements * bits)) return bad(`shape [${shape.join(', ')}] is too large`);
  const bytes = (elements * bits) / 8;
  if (begin > end || end > dataLen)
    return bad(`data_offsets [${begin}, ${end}] are outside the data section (${dataLen} bytes)`);
  if (bytes !== end - begin)
    return bad(`shape [${shape.join(', ')}] × ${dtype} needs ${bytes} bytes but data_offsets span ${end - begin}`);
  return { name, dtype, shape: shape as number[], elements, bytes, file, offset: dataStart + begin, begin, end };
}

/** The format allows neither overlaps nor holes: the tensors tile the data section exactly. */
function checkTiling(
  tensors: Array<{ name: string; begin: number; end: number }>,
  dataLen: number,
  problems: Problem[],
): void {
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let last = '';
  for (const t of sorted) {
    if (t.begin < covered)
      problems.push({
        where: `tensor ${JSON.stringify(t.name)}`,
        message: `bytes ${t.begin}..${t.end} overlap tensor ${JSON.stringify(last)} (which ends at ${covered})`,
      });
    else if (t.begin > covered)
      problems.push({ where: 'data section', message: `bytes ${covered}..${t.begin} belong to no tensor` });
    if (t.end >= covered) {
      covered = t.end;
      last = t.name;
    }
  }
  if (covered < dataLen)
    problems.push({
      where: 'data section',
      message: `bytes ${covered}..${dataLen} belong to no tensor (file length ≠ header + data: trailing bytes or a wrong header)`,
    });
}
