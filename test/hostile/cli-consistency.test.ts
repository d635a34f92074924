import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { expectOneLineError, ROOT, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-consistency-'));

describe('the command line is consistent: what does not apply is refused, never silently ignored', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['help for an unknown command is one line', ['help', 'foo'], /MG000: unknown command 'foo'; commands: explain, /],
    [
      '--heads with --kernel',
      ['explain', '--kernel', 'llama', '--heads', '0,1'],
      /MG001: --heads does not apply to --kernel \(it goes with --attention\)/,
    ],
    [
      '--len with --attention',
      ['explain', '--attention', 'mar', '--len', '5'],
      /MG001: --len does not apply to --attention \(it goes with --tensor\)/,
    ],
    [
      '--vs without --kernel',
      ['explain', '--tensor', 'wte', '--vs', 'llama'],
      /MG001: --vs does not apply to --tensor \(it goes with --kernel\)/,
    ],
    [
      '--context without --memory',
      ['explain', '--kernel', 'llama', '--context', '100'],
      /MG001: --context goes with --memory/,
    ],
    [
      'a flag given twice',
      ['train', '--steps', '5', '--steps', '9', '--no-out'],
      /MG000: --steps is given more than once/,
    ],
    [
      'a flag given twice with =',
      ['explain', '--attention=mar', '--attention=emma'],
      /MG000: --attention is given more than once/,
    ],
    [
      'hex for --lr, as for --steps',
      ['train', '--lr', '0x1', '--no-out'],
      /MG000: .*--lr.*expected a number > 0 and ≤ 10, got "0x1"/,
    ],
    ['hex for --steps', ['train', '--steps', '0x10', '--no-out'], /MG000: .*--steps.*got "0x10"/],
  ];
  for (const [what, args, message] of cases) it(what, async () => expectOneLineError(await runCli(args), message));

  it('two contracts of one family in one folder: refused, naming both files', async () => {
    const d = join(dir, 'dupes');
    mkdirSync(d);
    const opt = JSON.parse(readFileSync(join(ROOT, 'contracts', 'opt.json'), 'utf8'));
    for (const f of ['a.json', 'b.json'])
      writeFileSync(
        join(d, f),
        JSON.stringify({
          ...opt,
          $schema: undefined,
          family: 'twin',
          aliases: [],
          architectures: [],
          model_type: 'twin',
        }),
      );
    expectOneLineError(
      await runCli(['contracts', 'list', '--contracts', d]),
      /MG047: .*a\.json and b\.json both define family "twin"/,
    );
  });
});
