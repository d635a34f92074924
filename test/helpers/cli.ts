import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A rejected input: exit 2, nothing on stdout, one line on stderr that matches `message` and has no stack trace. */
export function expectOneLineError(r: CliResult, message: RegExp, code = 2): void {
  if (r.code !== code || r.stdout !== '' || r.stderr.trimEnd().split('\n').length !== 1 || !message.test(r.stderr) || /\n\s+at /.test(r.stderr)) {
    throw new Error(`expected exit ${code}, empty stdout and one stderr line matching ${message}; got exit ${r.code}, stdout ${JSON.stringify(r.stdout.slice(0, 200))}, stderr ${JSON.stringify(r.stderr)}`);
  }
}

/** Runs the built CLI with colour off (not a TTY, NO_COLOR set) unless env says otherwise. */
export function runCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', MICROGPT_DEBUG: '', MICROGPT_CONTRACTS: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
