/**
 * One Compute per (kind, threads, resident bytes) in a process, shared by whoever asks for
 * the same: every model a test or a command loads runs on one pool of worker
 * threads and one arena, not a pool each. The last user to let go closes it,
 * so its workers leave when the work is done.
 */
import { availableParallelism } from 'node:os';
import { openCompute, type ComputeOptions } from './index.js';
import type { Compute } from './types.js';
import { bestWasmKind } from './wasm.js';

export interface SharedCompute {
  compute: Compute;
  /** This user is done: the matrices and caches it made must be released first. Idempotent. */
  release(): void;
}

const open = new Map<string, { compute: Compute; users: number }>();

export function acquireCompute(opts: ComputeOptions = {}): SharedCompute {
  const kind = opts.kind ?? bestWasmKind() ?? 'js';
  const threads = kind === 'js' ? 1 : (opts.threads ?? availableParallelism());
  const key = `${kind}/${threads}/${opts.residentBytes ?? 'default'}`;
  let entry = open.get(key);
  if (!entry) {
    entry = { compute: openCompute({ kind, threads, residentBytes: opts.residentBytes }), users: 0 };
    open.set(key, entry);
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    compute: held.compute,
    release: () => {
      if (released) return;
      released = true;
      if (--held.users > 0) return;
      held.compute.close();
      if (open.get(key) === held) open.delete(key);
    },
  };
}
