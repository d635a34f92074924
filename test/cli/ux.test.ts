// Small things a user of any CLI expects: --color WHEN, --version, completion scripts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLineError, ROOT, runCli } from '../helpers/cli.js';

const ESC = '\u001b[';

describe('--color auto|always|never', () => {
  it('always paints even when piped and under NO_COLOR; never and --no-color do not; auto follows the terminal', async () => {
    const args = ['explain', '--attention', 'mar'];
    expect((await runCli([...args, '--color', 'always'])).stdout).toContain(ESC);
    expect((await runCli([...args, '--color=always'], { NO_COLOR: '1' })).stdout).toContain(ESC);
    expect((await runCli([...args, '--color', 'never'], { FORCE_COLOR: '3' })).stdout).not.toContain(ESC);
    expect((await runCli([...args, '--no-color'], { FORCE_COLOR: '3' })).stdout).not.toContain(ESC);
    // auto, piped (the test's stdout is no terminal): plain unless FORCE_COLOR says otherwise
    expect((await runCli([...args, '--color', 'auto'])).stdout).not.toContain(ESC);
    expect((await runCli([...args, '--color', 'auto'], { NO_COLOR: '', FORCE_COLOR: '1' })).stdout).toContain(ESC);
  });

  it('a wrong WHEN is one line naming the choices', async () => {
    expectOneLineError(await runCli(['explain', '--attention', 'mar', '--color', 'sometimes']), /auto, always, never/);
  });
});

describe('--version', () => {
  it("prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) expect((await runCli([flag])).stdout.trim()).toBe(version);
  });
});

describe('microgpt completion bash|zsh|fish', () => {
  const dir = mkdtempSync(join(tmpdir(), 'microgpt-completion-'));

  it('bash: completes commands, subcommands, options and option choices, from the command tree', async () => {
    const script = join(dir, 'c.bash');
    writeFileSync(script, (await runCli(['completion', 'bash'])).stdout);
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _microgpt_complete; echo "\${COMPREPLY[*]}"`,
          script,
          'microgpt',
          ...words,
        ],
        { encoding: 'utf8' },
      ).trim();
    expect(complete('ex')).toBe('explain example');
    expect(complete('explain', '--ker')).toBe('--kernel');
    expect(complete('contracts', 'v')).toBe('validate');
    expect(complete('contracts', 'list', '--js')).toBe('--json');
    expect(complete('explain', '--color', '')).toBe('auto always never');
    expect(complete('completion', '')).toContain('--help');
  });

  it('zsh loads the bash script through bashcompinit; fish names every command and option', async () => {
    expect((await runCli(['completion', 'zsh'])).stdout).toMatch(
      /bashcompinit[\s\S]*complete -o default -F _microgpt_complete microgpt/,
    );
    const fish = (await runCli(['completion', 'fish'])).stdout;
    const help = (await runCli(['--help'], { COLUMNS: '200' })).stdout;
    const commands = [...help.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThan(8);
    for (const c of commands) expect(fish).toContain(`-a ${c} `);
    expect(fish).toContain('-l kernel');
    expect(fish).toContain("-l color -x -a 'auto always never'");
  });

  it('an unknown shell is one line naming the shells', async () => {
    expectOneLineError(await runCli(['completion', 'tcsh']), /bash, zsh, fish/);
  });
});

describe('what a screen claims about another command is computed, and true', () => {
  it("ablate on a probe of the data says so, and names the -n at which its clean loss is eval's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'microgpt-ux-ablate-'));
    const data = join(dir, 'names.txt');
    // 10 names: -n 4 takes one in every 2 (4 of them); eval scores all 10
    writeFileSync(data, ['anna', 'bob', 'carla', 'dan', 'eve', 'fay', 'gus', 'hal', 'ida', 'jo'].join('\n') + '\n');
    const probe = await runCli(['ablate', '--data', data, '-n', '4']);
    expect(probe.code, probe.stderr).toBe(0);
    expect(probe.stdout).toContain('on 4 of the 10 names (one in every 2, -n 4)');
    expect(probe.stdout).toContain('`microgpt eval` scores all 10, as ablate does with -n 10.');
    expect(probe.stdout).not.toContain('prints the same number');
    const all = JSON.parse((await runCli(['ablate', '--data', data, '-n', '10', '--json'])).stdout);
    const evaluated = JSON.parse((await runCli(['eval', '--data', data, '--json'])).stdout);
    expect(all.sample).toBeNull();
    expect(Math.abs(all.clean - evaluated.meanLoss)).toBeLessThan(1e-12);
    const part = JSON.parse((await runCli(['ablate', '--data', data, '-n', '4', '--json'])).stdout);
    expect(part.sample).toEqual({ used: 4, of: 10, every: 2, countForAll: 10 });
    expect(Math.abs(part.clean - evaluated.meanLoss)).toBeGreaterThan(1e-6);
  });
});
