import { accessSync, closeSync, constants, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MicrogptError } from './errors.js';

/**
 * Writes a file whole or not at all: the bytes go to a temporary name in the
 * same folder, are flushed to disk, and the temporary file is renamed over the
 * target (atomic on POSIX). An interrupted write leaves the old file intact.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
      throw new MicrogptError('MG040', `${path}: is a directory; give a file name such as ${join(path, 'model.safetensors')}`);
    }
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created
    }
    if (e instanceof MicrogptError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new MicrogptError('MG040', `${path}: cannot write (${code}); check that the folder exists and is writable`);
  }
}

/** Fails early, before any long work, when `path` could not be written later. */
export function assertWritable(path: string): void {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw new MicrogptError('MG040', `${path}: is a directory; give a file name such as ${join(path, 'model.safetensors')}`);
  const dir = dirname(path);
  const d = statSync(dir, { throwIfNoEntry: false });
  if (!d?.isDirectory()) throw new MicrogptError('MG040', `${path}: cannot write: folder ${dir} does not exist`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new MicrogptError('MG040', `${path}: cannot write: folder ${dir} is not writable`);
  }
}
