import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('explain --attention heatmaps', () => {
  it('without colour: shade characters, masked cells as "·", a legend, and the numbers stay', async () => {
    const r = await runCli(['explain', '--attention', 'mar']);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stdout.match(/^Head \d heatmap/gm)).toHaveLength(4);
    expect(r.stdout).toMatch(/^ {2}BOS ███( +·){3}$/m);
    expect(r.stdout).toMatch(/Legend: .*░░░ < 0\.25.*· masked/);
    expect(r.stdout).toMatch(/^ {2}0 BOS 1\.000 0\.000 0\.000 0\.000 /m);
  });

  it('24-bit colour when the terminal supports it (FORCE_COLOR=3)', async () => {
    const r = await runCli(['explain', '--attention', 'mar'], { NO_COLOR: '', FORCE_COLOR: '3' });
    expect(r.stdout).toMatch(/\x1b\[48;2;\d+;\d+;\d+m/);
  });

  it('256 colours otherwise (FORCE_COLOR=2)', async () => {
    const r = await runCli(['explain', '--attention', 'mar'], { NO_COLOR: '', FORCE_COLOR: '2' });
    expect(r.stdout).toMatch(/\x1b\[48;5;\d+m/);
    expect(r.stdout).not.toMatch(/\x1b\[48;2;/);
  });

  // --color always colours the cells whatever TERM says: 256 colours, 24-bit when COLORTERM says so.
  for (const term of ['xterm', 'dumb', 'vt100', '']) {
    it(`--color always under TERM=${JSON.stringify(term)}: 256-colour cells, no shade characters`, async () => {
      const r = await runCli(['explain', '--attention', 'mar', '--color', 'always'], { TERM: term, COLORTERM: '' });
      expect(r.stdout).toMatch(/\x1b\[48;5;\d+m/);
      expect(r.stdout).not.toMatch(/\x1b\[48;2;/);
      const heatmap = r.stdout.slice(r.stdout.indexOf('heatmap'), r.stdout.indexOf('Legend'));
      expect(heatmap).not.toMatch(/[░▒▓█]/);
    });
  }

  for (const colorterm of ['truecolor', '24bit']) {
    it(`--color always with COLORTERM=${colorterm}: 24-bit cells on TERM=xterm`, async () => {
      const r = await runCli(['explain', '--attention', 'mar', '--color', 'always'], {
        TERM: 'xterm',
        COLORTERM: colorterm,
      });
      expect(r.stdout).toMatch(/\x1b\[48;2;\d+;\d+;\d+m/);
      expect(r.stdout).not.toMatch(/\x1b\[48;5;/);
    });
  }

  it('--no-color wins over FORCE_COLOR', async () => {
    const r = await runCli(['explain', '--attention', 'mar', '--no-color'], { NO_COLOR: '', FORCE_COLOR: '3' });
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it('--heads 0,2 selects heads; the invariants are still checked on all of them', async () => {
    const r = await runCli(['explain', '--attention', 'mar', '--heads', '0,2']);
    expect(r.stdout.match(/^Head \d:$/gm)).toEqual(['Head 0:', 'Head 2:']);
    expect(r.stdout).toMatch(/2 heads \(of 4; selected with --heads\/--layer\)/);
    expect(r.stdout.match(/✓/g)).toHaveLength(3);
  });

  it('a 15-character input stays within 80 columns', async () => {
    const r = await runCli(['explain', '--attention', 'abcdefghijklmno', '--heads', '0']);
    const map = r.stdout.slice(r.stdout.indexOf('heatmap'), r.stdout.indexOf('Legend'));
    for (const line of map.split('\n').slice(1)) expect(line.length).toBeLessThanOrEqual(80);
  });

  const bad: Array<[string, string[], RegExp]> = [
    [
      'a head that does not exist',
      ['explain', '--attention', 'mar', '--heads', '0,7'],
      /head 7 does not exist; the model has heads 0\.\.3/,
    ],
    [
      'a layer that does not exist',
      ['explain', '--attention', 'mar', '--layer', '1'],
      /layer 1 does not exist; the model has layer 0/,
    ],
    ['a malformed head list', ['explain', '--attention', 'mar', '--heads', 'zero'], /comma-separated head numbers/],
    ['--html without --attention', ['explain', '--kernel', 'gpt2', '--html', 'x.html'], /--html goes with --attention/],
  ];
  for (const [what, args, message] of bad) {
    it(what, async () => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    });
  }
});
