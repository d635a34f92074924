/**
 * The one rule for every file a command writes (train --out, explain/inspect/lab
 * --html, and any later output):
 * - never a file the command reads: compared by device and inode after links
 *   are followed, against the run's ledger of inputs (inputs.ts) and the inputs
 *   the command names before reading them — so a symlink or a hard link to an
 *   input is refused too (MG044);
 * - never an empty path, a directory, device, FIFO or socket, and only where it can be written (MG040);
 * - an existing file is replaced only with --force (MG045), except an HTML report
 *   microgpt wrote itself (its generator mark), so re-running a command just works.
 * Commands call checkOutput early, before long work, and writeOutput at the end,
 * which checks again with every input the run has read by then.
 */
import { closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { assertWritable, writeFileAtomic, writeTarget } from './fsutil.js';
import { MicrogptError } from './errors.js';
import { inputWithIdentity, type FileIdentity } from './inputs.js';
import { GENERATOR_META } from './render/generator.js';

export interface OutputTarget {
  path: string;
  /** The option that names it, for messages: --out, --html. */
  flag: string;
  /** --force: replace an existing file. */
  force: boolean;
  /** An HTML report: an existing page with microgpt's generator mark is replaced without --force. */
  html?: boolean;
  /** Inputs the command names (--model, --data …), compared even before they are read. */
  inputs?: ReadonlyArray<{ path: string; flag: string }>;
}

/** Bytes read from the head of an existing HTML file to find the generator mark (it is in <head>). */
const HEAD_BYTES = 4096;

/** Everything about an output that can be known now; throws MG040, MG044 or MG045 with one line. */
export function checkOutput(out: OutputTarget): void {
  // An empty value is a slip (an unset shell variable), never a request to write nothing.
  if (out.path === '') throw new MicrogptError('MG040', `${out.flag} "" names no file; give a file name`);
  // A folder given: suggest a file in it of the kind this option writes.
  assertWritable(out.path, out.html ? 'report.html' : undefined);
  const target = writeTarget(out.path);
  const st = statSync(target, { bigint: true, throwIfNoEntry: false });
  if (!st) return;
  const input = namedInput(st, out.inputs ?? []) ?? inputWithIdentity(st)?.path;
  if (input !== undefined)
    throw new MicrogptError(
      'MG044',
      `${out.path}: is the same file as ${input}, which this command reads; writing it would destroy the input — give another ${out.flag}`,
    );
  if (out.force || (out.html === true && writtenByMicrogpt(target))) return;
  throw new MicrogptError(
    'MG045',
    `${out.path}: already exists${out.html ? ' and is not a page microgpt wrote' : ''}; pass --force to replace it, or give another ${out.flag}`,
  );
}

/** Checks the output again (the run has read all its inputs by now), then writes it whole or not at all. */
export function writeOutput(out: OutputTarget, data: Uint8Array | string): void {
  checkOutput(out);
  writeFileAtomic(out.path, data);
}

/** "--model m.safetensors" when `id` is a file the command line names as an input. */
function namedInput(id: FileIdentity, inputs: ReadonlyArray<{ path: string; flag: string }>): string | undefined {
  for (const i of inputs) {
    const st = statSync(i.path, { bigint: true, throwIfNoEntry: false });
    if (st?.isFile() && st.dev === id.dev && st.ino === id.ino) return `${i.flag} ${i.path}`;
  }
  return undefined;
}

/** Whether the regular file at `path` is an HTML page microgpt wrote: its first bytes carry the generator mark. */
function writtenByMicrogpt(path: string): boolean {
  let fd: number;
  try {
    // O_NONBLOCK: should the file have become a FIFO since it was checked, the open does not hang.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, head, 0, HEAD_BYTES, 0);
    return head.subarray(0, n).includes(GENERATOR_META);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
