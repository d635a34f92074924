import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-blocking-'));
const fifo = join(dir, 'names.txt');
execFileSync('mkfifo', [fifo]);
const contracts = join(dir, 'contracts');
mkdirSync(contracts);
execFileSync('mkfifo', [join(contracts, 'family.json')]);
/** A sparse 300 MB text file: over the documented --data limit, costing no disk. */
const huge = join(dir, 'huge.txt');
const fd = openSync(huge, 'w');
ftruncateSync(fd, 300 * 1024 * 1024);
closeSync(fd);

describe('endless, blocking and oversized inputs are refused before reading (one line, exit 2)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['/dev/zero as --model', ['eval', '--model', '/dev/zero'], /MG057: \/dev\/zero: is not a regular file/],
    ['/dev/zero as --data', ['train', '--data', '/dev/zero', '--no-out'], /MG041: \/dev\/zero: is not a regular file/],
    ['/dev/zero as --kernel', ['explain', '--kernel', '/dev/zero'], /MG013: \/dev\/zero: is not a regular file/],
    ['a FIFO as --data', ['eval', '--data', fifo], /MG041: .*names\.txt: is not a regular file/],
    [
      'a FIFO inside a --contracts folder',
      ['contracts', 'list', '--contracts', contracts],
      /MG013: .*family\.json: is not a regular file/,
    ],
    ['a FIFO as a model path', ['inspect', fifo], /MG061: .*not a regular file/],
    ['a 300 MB --data file', ['eval', '--data', huge], /MG041: .*is 314572800 bytes, over the 268435456-byte limit/],
  ];
  for (const [what, args, message] of cases) it(what, async () => expectOneLineError(await runCli(args), message));
  it('/dev/zero given to contracts validate: reported as an invalid file (exit 1), not read', async () => {
    const r = await runCli(['contracts', 'validate', '/dev/zero']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ MG013: \/dev\/zero: is not a regular file/);
  });
});
