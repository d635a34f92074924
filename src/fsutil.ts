import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MicrogptError } from './errors.js';

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Where writing `path` really lands: a symlink is followed to its target (so
 * the link keeps pointing at the new data), a dangling one to where it points.
 */
export function writeTarget(path: string): string {
  let link;
  try {
    link = lstatSync(path, { throwIfNoEntry: false });
  } catch (e) {
    throw new MicrogptError('MG040', `${path}: cannot write (${errno(e)}); check the path`);
  }
  if (!link?.isSymbolicLink()) return path;
  try {
    return realpathSync(path);
  } catch {
    return resolve(dirname(path), readlinkSync(path));
  }
}

/**
 * Writes a file whole or not at all: the bytes go to a temporary name beside
 * the real target (after symlinks), are flushed to disk, and the temporary file
 * is renamed over the target (atomic on POSIX). An interrupted write leaves the
 * old file intact. Only a regular file (or nothing) is ever replaced: never a
 * device, FIFO or directory.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const target = writeTarget(path);
  checkReplaceable(path, target);
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created
    }
    if (e instanceof MicrogptError) throw e;
    throw new MicrogptError(
      'MG040',
      `${path}: cannot write (${errno(e)}); check that the folder exists and is writable`,
    );
  }
}

/** Nothing there, or a regular file: anything else is refused before a byte is written. */
function checkReplaceable(path: string, target: string, example = 'model.safetensors'): void {
  let st;
  try {
    st = statSync(target, { throwIfNoEntry: false });
  } catch (e) {
    throw new MicrogptError('MG040', `${path}: cannot write (${errno(e)}); check the path`);
  }
  if (st?.isDirectory())
    throw new MicrogptError('MG040', `${path}: is a directory; give a file name such as ${join(path, example)}`);
  if (st && !st.isFile())
    throw new MicrogptError(
      'MG040',
      `${path}: is not a regular file (a device, FIFO or socket); refusing to replace it — give a file path`,
    );
}

/** Fails early, before any long work, when `path` could not be written later. */
export function assertWritable(path: string, example?: string): void {
  const target = writeTarget(path);
  checkReplaceable(path, target, example);
  const dir = dirname(target);
  let d;
  try {
    d = statSync(dir, { throwIfNoEntry: false });
  } catch (e) {
    throw new MicrogptError('MG040', `${path}: cannot write (${errno(e)}); check the path`);
  }
  if (!d?.isDirectory()) throw new MicrogptError('MG040', `${path}: cannot write: folder ${dir} does not exist`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new MicrogptError('MG040', `${path}: cannot write: folder ${dir} is not writable`);
  }
  if (basename(target).length > 240)
    throw new MicrogptError(
      'MG040',
      `${path}: cannot write: the file name is ${basename(target).length} characters (at most 240)`,
    );
}
