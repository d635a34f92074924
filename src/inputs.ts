/**
 * The files one command run reads, by identity (device and inode), so that an
 * output can be checked against every one of them: the weights, shards, index,
 * config.json, tokenizer files, data and contracts, however they were named.
 * The bounded readers (formats/file.ts) record what they open; opening a model
 * folder records its model files too. The ledger belongs to one run (program.ts
 * `main` starts it): CLI tests run many commands in one process, and a list kept
 * across runs would grow and refuse outputs that an earlier command had read.
 */
import { statSync } from 'node:fs';

export interface InputFile {
  dev: bigint;
  ino: bigint;
  /** The path the file was first read by, for messages. */
  path: string;
}

/** An identity as fs reports it with { bigint: true } (an inode may not fit in a double). */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

/**
 * The ledger of the command running now. Command runs in one process (the CLI
 * tests) follow one another — main awaits each — so one slot is enough;
 * node:async_hooks would cost every command's start-up for nothing.
 */
let current: Map<string, InputFile> | null = null;
const ledger = { getStore: () => current };

/** Runs one command with a fresh, empty ledger (the one before is back afterwards); outside a run nothing is recorded. */
export async function withInputLedger<T>(body: () => Promise<T>): Promise<T> {
  const before = current;
  current = new Map();
  try {
    return await body();
  } finally {
    current = before;
  }
}

/** Records a file this run reads (first path kept). */
export function recordInput(path: string, id: FileIdentity): void {
  const files = ledger.getStore();
  const key = `${id.dev}:${id.ino}`;
  if (files && !files.has(key)) files.set(key, { dev: id.dev, ino: id.ino, path });
}

/** Records `path` if it is a regular file (links followed); anything else is no input an output could land on. */
export function recordInputPath(path: string): void {
  if (!ledger.getStore()) return;
  let st;
  try {
    st = statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    return;
  }
  if (st?.isFile()) recordInput(path, st);
}

/** The input with this identity, if this run has read it. */
export function inputWithIdentity(id: FileIdentity): InputFile | undefined {
  return ledger.getStore()?.get(`${id.dev}:${id.ino}`);
}
