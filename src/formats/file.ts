import { closeSync, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { clip } from '../clip.js';
import { MicrogptError } from '../errors.js';
import { recordInput } from '../inputs.js';
import { parseJson } from './json-bytes.js';
import { LIMITS } from './types.js';

/** An open regular file: reads are positioned and bounded by its size, never by a length the file claims. */
export interface OpenFile {
  path: string;
  fd: number;
  size: number;
}

/**
 * A path's stat, or undefined when nothing is there. Any other failure (a name
 * too long, a loop of links, no permission) is one line with the caller's
 * code, naming the path (cut when long) and the system's reason.
 */
export function statPath(path: string, code: string, lstat = false): Stats | undefined {
  try {
    return (lstat ? lstatSync : statSync)(path, { throwIfNoEntry: false });
  } catch (e) {
    throw new MicrogptError(
      code,
      `${clip(path)}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/**
 * Opens `path` for reading only if it is a regular file. A FIFO would block the
 * open itself and a device can be endless, so both are refused from a stat
 * taken before opening (and checked again on the open descriptor).
 */
export function openRegular(path: string, code = 'MG061'): OpenFile {
  const st = statPath(path, code);
  if (!st) throw new MicrogptError(code, `${path}: no such file or directory`);
  if (!st.isFile()) throw new MicrogptError(code, `${path}: is ${notRegular(st)}; give a model file or folder`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new MicrogptError(
      code,
      `${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const again = fstatSync(fd, { bigint: true });
  if (!again.isFile()) {
    closeSync(fd);
    throw new MicrogptError(code, `${path}: is not a regular file`);
  }
  // Every file a command reads is an input its outputs must never land on.
  recordInput(path, again);
  return { path, fd, size: Number(again.size) };
}

/** What a path that is not a regular file is, for a message: "a directory", "not a regular file but a FIFO (named pipe)". */
export function notRegular(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  const kind = st.isFIFO()
    ? 'a FIFO (named pipe)'
    : st.isSocket()
      ? 'a socket'
      : st.isCharacterDevice() || st.isBlockDevice()
        ? 'a device'
        : 'something else';
  return `not a regular file but ${kind}`;
}

/** Reads exactly `length` bytes at `position`, or fewer only at the end of the file. */
export function readAt(f: OpenFile, position: number, length: number): Buffer {
  const n = Math.max(0, Math.min(length, f.size - position));
  const buf = Buffer.allocUnsafe(n);
  let got = 0;
  while (got < n) {
    const r = readSync(f.fd, buf, got, n - got, position + got);
    if (r === 0) break;
    got += r;
  }
  return got === n ? buf : buf.subarray(0, got);
}

/** Reads into `into` (all of it) from `position`; returns the bytes read (fewer only at the end of the file). */
export function readInto(f: OpenFile, position: number, into: Uint8Array): number {
  const n = Math.max(0, Math.min(into.length, f.size - position));
  let got = 0;
  while (got < n) {
    const r = readSync(f.fd, into, got, n - got, position + got);
    if (r === 0) break;
    got += r;
  }
  return got;
}

export function closeFile(f: OpenFile): void {
  closeSync(f.fd);
}

/** Runs `body` with the file open, and closes it whatever happens. */
export function withFile<T>(path: string, body: (f: OpenFile) => T, code?: string): T {
  const f = openRegular(path, code);
  try {
    return body(f);
  } finally {
    closeFile(f);
  }
}

/** What the first bytes of an unrecognised file look like, for an error message: hex, and printable ASCII. */
export function describeBytes(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 16);
  const hex = [...head].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = [...head].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return head.length === 0 ? 'the file is empty' : `first bytes ${hex} ("${text}")`;
}

/**
 * Checks that a path is a regular file of at most `limit` bytes before it is
 * opened: /dev/zero, a FIFO or a huge file is refused with one line instead of
 * hanging or exhausting memory. Messages keep the caller's error code and say
 * what the flag expects.
 */
export function checkRegularFile(
  path: string,
  opts: { limit: number; code: string; what: string; isDirectory: string },
): void {
  const st = statPath(path, opts.code);
  if (!st) throw new MicrogptError(opts.code, `${path}: cannot read (ENOENT); ${opts.what}`);
  if (st.isDirectory()) throw new MicrogptError(opts.code, `${path}: is a directory; ${opts.isDirectory}`);
  if (!st.isFile()) throw new MicrogptError(opts.code, `${path}: is ${notRegular(st)}; ${opts.what}`);
  if (st.size > opts.limit)
    throw new MicrogptError(opts.code, `${path}: is ${st.size} bytes, over the ${opts.limit}-byte limit; ${opts.what}`);
}

/** A whole file that must be a regular file of at most `limit` bytes (checkRegularFile), read. */
export function readRegularFile(
  path: string,
  opts: { limit: number; code: string; what: string; isDirectory: string },
): Buffer {
  checkRegularFile(path, opts);
  // openRegular checks the open descriptor again: the file may have been swapped since the stat.
  return withFile(
    path,
    (f) => {
      if (f.size > opts.limit) throw new MicrogptError(opts.code, `${path}: changed while being opened; try again`);
      return readAt(f, 0, f.size);
    },
    opts.code,
  );
}

/**
 * A small JSON file (config.json and the like) read whole and parsed with the
 * nesting bounded: a regular file under `limit` bytes, or one line saying what
 * it is instead (a FIFO, a device, a directory, not JSON and where).
 */
export function readJsonFile(path: string, limit: number, code: string, what: string): unknown {
  const bytes = readRegularFile(path, { limit, code, what, isDirectory: what });
  return parseJson(
    bytes,
    (msg) => {
      throw new MicrogptError(code, `${path}: not valid JSON (${msg})`);
    },
    LIMITS.jsonDepth,
  );
}

/** Documented size limits of the files this tool reads whole. */
export const READ_LIMITS = {
  checkpoint: 1024 ** 3,
  data: 256 * 1024 ** 2,
  contract: 16 * 1024 ** 2,
} as const;
