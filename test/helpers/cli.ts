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
  if (
    r.code !== code ||
    r.stdout !== '' ||
    r.stderr.trimEnd().split('\n').length !== 1 ||
    !message.test(r.stderr) ||
    /\n\s+at /.test(r.stderr)
  ) {
    throw new Error(
      `expected exit ${code}, empty stdout and one stderr line matching ${message}; got exit ${r.code}, stdout ${JSON.stringify(r.stdout.slice(0, 200))}, stderr ${JSON.stringify(r.stderr)}`,
    );
  }
}

const BASE_ENV = { COLUMNS: '300', NO_COLOR: '1', FORCE_COLOR: '', MICROGPT_DEBUG: '', MICROGPT_CONTRACTS: '' };

/**
 * Runs a command line of the built CLI inside this test process: what it writes
 * to stdout and stderr is captured, env and cwd are set for the call and put
 * back after, and the exit code is what it leaves in process.exitCode. As
 * runCli, minus a process per call (~0.25 s each); use runCliProcess where the
 * process itself is the point (signals, pipes).
 */
export async function runCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  const { main } = (await import(PROGRAM)) as { main: (argv: string[]) => Promise<void> };
  const overlay: Record<string, string> = { ...BASE_ENV, ...env };
  const savedEnv = Object.fromEntries(Object.keys(overlay).map((k) => [k, process.env[k]]));
  const savedCwd = process.cwd();
  const savedExit = process.exitCode;
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  let stdout = '';
  let stderr = '';
  const capture = (append: (s: string) => void) =>
    ((chunk: string | Uint8Array, enc?: unknown, cb?: unknown) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = typeof enc === 'function' ? enc : cb;
      if (typeof done === 'function') done();
      return true;
    }) as typeof process.stdout.write;
  Object.assign(process.env, overlay);
  process.chdir(cwd);
  process.exitCode = undefined;
  process.stdout.write = capture((t) => (stdout += t));
  process.stderr.write = capture((t) => (stderr += t));
  try {
    await main([process.execPath, CLI, ...args]);
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.chdir(savedCwd);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : Number(process.exitCode ?? 0);
  process.exitCode = savedExit;
  return { code, stdout, stderr };
}

/** The CLI's command runner, as built (tests run the shipped code, not the sources). */
const PROGRAM = join(ROOT, 'dist', 'src', 'program.js');

/** Runs the built CLI as its own process, with colour off (not a TTY, NO_COLOR set) unless env says otherwise. */
export function runCliProcess(args: string[], env: Record<string, string> = {}, cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...BASE_ENV, ...env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
