import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointFromBytes } from '../../src/model/index.js';
import { CLI, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-interrupt-'));
const old = join(dir, 'old.safetensors');
runCli(['train', '--steps', '20', '--seed', '1', '--out', old]);
const oldBytes = readFileSync(old);

/** Starts `train --out path`, sends `signal` after `ms`, and resolves with the exit code or signal. */
function trainAndKill(out: string, signal: NodeJS.Signals, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'train', '--steps', '400', '--seed', '2', '--out', out], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill(signal), ms);
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      resolve(sig ?? String(code));
    });
  });
}

describe('interrupting train never loses the checkpoint', () => {
  // Delays from early in training to around the moment the checkpoint is written.
  const delays = [80, 250, 400, 550, 700, 900, 1200];
  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`${signal} at ${delays.join(', ')} ms: the file at --out is the old checkpoint or a complete new one, and it loads`, async () => {
      for (const [k, ms] of delays.entries()) {
        const out = join(dir, `${signal}-${k}.safetensors`);
        copyFileSync(old, out);
        const how = await trainAndKill(out, signal, ms);
        const bytes = readFileSync(out);
        const loaded = checkpointFromBytes(out, bytes);
        expect(loaded.model.parameterCount).toBe(4192);
        if (!bytes.equals(oldBytes)) expect(loaded.training).toMatchObject({ seed: 2 });
        // Outside training (start-up, or the evaluation after the checkpoint is written) SIGINT ends the
        // process at once; during training it stops after the current step (130) and writes the checkpoint.
        if (signal === 'SIGINT') expect(['0', '130', 'SIGINT']).toContain(how);
      }
      // No temporary files are left behind by a clean stop (SIGKILL may leave one, never in place of the target).
      if (signal === 'SIGINT') expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    }, 60_000);
  }
});
