import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointFromBytes } from '../../src/model/index.js';
import { CLI, expectOneLineError, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-outputs-'));
const model = join(dir, 'm.safetensors');
const names = join(dir, 'names.txt');
beforeAll(async () => {
  expect((await runCli(['train', '--steps', '5', '--out', model])).code).toBe(0);
  writeFileSync(names, 'anna\nbob\ncarla\n');
});

describe('an output is never one of the inputs (same file by device and inode, links followed)', () => {
  it('inspect --html onto its own --model', async () => {
    const before = readFileSync(model);
    expectOneLineError(
      await runCli(['inspect', '--model', model, '--html', model]),
      /MG044: .*is the same file as --model/,
    );
    expect(readFileSync(model).equals(before)).toBe(true);
  });
  it('train --out onto its own --data, even with --force and through a link', async () => {
    const link = join(dir, 'names-link.txt');
    symlinkSync(names, link);
    expectOneLineError(
      await runCli(['train', '--data', names, '--out', link, '--force']),
      /MG044: .*is the same file as --data/,
    );
    expect(readFileSync(names, 'utf8')).toBe('anna\nbob\ncarla\n');
  });
  it('explain --attention --html onto its --model given by another spelling of the path', async () => {
    expectOneLineError(
      await runCli(['explain', '--attention', 'mar', '--model', model, '--html', join(dir, '.', 'm.safetensors')]),
      /MG044: /,
    );
  });
});

describe('writing through what is at the output path', () => {
  it('a symlink stays a symlink; its target gets the new file', async () => {
    const target = join(dir, 'target.safetensors');
    const link = join(dir, 'link.safetensors');
    expect((await runCli(['train', '--steps', '3', '--out', target])).code).toBe(0);
    symlinkSync(target, link);
    expect((await runCli(['train', '--steps', '4', '--out', link, '--force'])).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(checkpointFromBytes(target, readFileSync(target)).training).toMatchObject({ steps: 4 });
  });
  it('a device is never replaced (as root, /dev/null would otherwise become a regular file)', async () => {
    expectOneLineError(
      await runCli(['train', '--steps', '2', '--out', '/dev/null', '--force']),
      /MG040: \/dev\/null: is not a regular file/,
    );
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});

describe('a checkpoint is only replaced on purpose, and a bad --out is found before training', () => {
  it('an existing --out is refused without --force, and says so', async () => {
    const before = readFileSync(model);
    expectOneLineError(
      await runCli(['train', '--steps', '2', '--out', model]),
      /MG045: .*already exists; pass --force to replace it/,
    );
    expect(readFileSync(model).equals(before)).toBe(true);
  });
  it('a missing folder, a path through a file, a name too long: one-line MG040 before any step (not an internal error)', async () => {
    for (const [out, message] of [
      [join(dir, 'no', 'such', 'm.safetensors'), /MG040: .*folder .* does not exist/],
      [join(model, 'child'), /MG040: .*cannot write \(ENOTDIR\)/],
      [join(dir, `${'x'.repeat(300)}.safetensors`), /MG040: .*(ENAMETOOLONG|the file name is 312 characters)/],
    ] as const) {
      const r = await runCli(['train', '--steps', '100000', '--out', out]);
      expectOneLineError(r, message);
    }
  });
});

describe('stdout that cannot be written', () => {
  const run = (args: string[], stdout: 'pipe' | number) =>
    new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        stdio: ['ignore', stdout, 'pipe'],
        env: { ...process.env, NO_COLOR: '1', MICROGPT_DEBUG: '' },
      });
      // A reader that has gone away before the first byte (`| head` after its line): EPIPE.
      child.stdout?.destroy();
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => done({ code, stderr }));
    });

  it.runIf(existsSync('/dev/full'))('a full disk (/dev/full) is one MG049 line and exit 74, text or JSON', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [
        ['explain', '--attention', 'emma'],
        ['inspect', model, '--json'],
      ]) {
        const r = await run(args, full);
        expect(r.code, args.join(' ')).toBe(74);
        expect(r.stderr).toMatch(/^microgpt: error MG049: could not write the output: ENOSPC[^\n]*\n$/);
      }
    } finally {
      closeSync(full);
    }
  });

  it('a closed pipe (| head) is the reader’s choice: exit 0, nothing on stderr', async () => {
    const r = await run(['inspect', model, '--json'], 'pipe');
    expect(r).toEqual({ code: 0, stderr: '' });
  });
});
