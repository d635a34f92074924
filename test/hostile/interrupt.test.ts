import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointFromBytes } from '../../src/model/index.js';
import { CLI, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-interrupt-'));
const old = join(dir, 'old.safetensors');
await runCli(['train', '--steps', '20', '--seed', '1', '--out', old]);
const oldBytes = readFileSync(old);
const temps = () => readdirSync(dir).filter((f) => f.includes('.tmp-'));

/**
 * Starts a long `train --out`, waits until it reports step 100 on stderr (so the
 * signal always lands during training, whatever the machine's speed), then signals it.
 */
function signalDuringTraining(out: string, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'train', '--steps', '200000', '--seed', '2', '--out', out, '--force'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      if (!sent && /step\s+100\//.test(d.toString())) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('exit', (code) => resolve(code));
  });
}

describe('stopping train never loses the work', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} during training: stops after the current step, writes the checkpoint, exits ${code}, leaves no temporary file`, async () => {
      const out = join(dir, `${signal}.safetensors`);
      copyFileSync(old, out);
      expect(await signalDuringTraining(out, signal)).toBe(code);
      const loaded = checkpointFromBytes(out, readFileSync(out));
      expect(loaded.training).toMatchObject({ seed: 2, stepsRequested: 200000 });
      expect((loaded.training as { steps: number }).steps).toBeGreaterThanOrEqual(100);
      expect((loaded.training as { steps: number }).steps).toBeLessThan(200000);
      expect(temps()).toEqual([]);
    }, 60_000);
  }

  it('a closed stderr (train … 2>&1 | head -1) does not abort the run: the checkpoint is written, exit 0', async () => {
    const out = join(dir, 'epipe.safetensors');
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'train', '--steps', '3000', '--out', out], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.once('data', () => child.stderr.destroy());
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(checkpointFromBytes(out, readFileSync(out)).training).toMatchObject({ steps: 3000 });
  }, 60_000);

  it('SIGKILL at any moment: the file at --out is the old checkpoint or a complete new one, and it loads', async () => {
    // Any delay is a valid moment here: the outcome must be one of the two, never a broken file.
    for (const [k, ms] of [80, 250, 400, 550, 700, 900, 1200].entries()) {
      const out = join(dir, `kill-${k}.safetensors`);
      copyFileSync(old, out);
      await new Promise<void>((resolve) => {
        const child = spawn(
          process.execPath,
          [CLI, 'train', '--steps', '400', '--seed', '2', '--out', out, '--force'],
          { stdio: 'ignore' },
        );
        const timer = setTimeout(() => child.kill('SIGKILL'), ms);
        child.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      const bytes = readFileSync(out);
      const loaded = checkpointFromBytes(out, bytes);
      expect(loaded.model.parameterCount).toBe(4192);
      if (!bytes.equals(oldBytes)) expect(loaded.training).toMatchObject({ seed: 2 });
    }
  }, 60_000);
});
