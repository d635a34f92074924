// The docs tooling itself, with a stand-in for the CLI: how shown command lines
// are read, what a page shows under each, and that a stale page is found.
import { describe, expect, it } from 'vitest';
import { consoleEntry, parse, render } from '../../scripts/docs/markdown.js';
import { mask, regenerate, shownOutput, type PageContext } from '../../scripts/docs/run.js';
import { parseShown, words } from '../../scripts/docs/shell.js';
import { FixtureStore, fixtureNamed, type Runner } from '../../scripts/docs/fixtures.js';

describe('command lines as a shell reads them', () => {
  it('splits words, keeps quoted text whole, and drops the quotes', () => {
    expect(words(`microgpt trace "the cat" --names '*hook_resid_post' --x "a \\"b\\""`)).toEqual([
      'microgpt',
      'trace',
      'the cat',
      '--names',
      '*hook_resid_post',
      '--x',
      'a "b"',
    ]);
  });

  it('refuses what only a real shell would do: globs, ~, $, ; and redirections', () => {
    for (const line of [
      'microgpt trace *',
      'microgpt inspect ~/m',
      'microgpt x "$HOME"',
      'microgpt a; b',
      'microgpt a > f',
    ])
      expect(() => words(line), line).toThrow();
  });

  it('reads `npx microgpt`, 2>&1 and excerpts', () => {
    const c = parseShown(`npx microgpt explain --attention mar 2>&1 | sed -n '3,5p' | head -n 2`)!;
    expect(c.argv).toEqual(['explain', '--attention', 'mar']);
    expect(c.withStderr).toBe(true);
    const lines = ['1', '2', '3', '4', '5', '6'];
    expect(c.excerpts.reduce((l, e) => e.apply(l), lines)).toEqual(['3', '4']);
    expect(parseShown('npm test')).toBeNull();
  });

  it('head and tail count like head and tail', () => {
    const ten = Array.from({ length: 10 }, (_, i) => String(i + 1));
    const run = (f: string) => parseShown(`microgpt x | ${f}`)!.excerpts[0]!.apply(ten);
    expect(run('head -n 3')).toEqual(['1', '2', '3']);
    expect(run('head -2')).toEqual(['1', '2']);
    expect(run('tail -n 2')).toEqual(['9', '10']);
    expect(run('tail -n 0')).toEqual([]);
    expect(run("sed -n '4p'")).toEqual(['4']);
    expect(() => parseShown('microgpt x | grep a')).toThrow(/unsupported filter/);
    expect(() => parseShown('microgpt x | head -n many')).toThrow(/line count/);
  });
});

describe('what a page shows under a command', () => {
  const cmd = (line: string) => parseShown(line)!;

  it('stdout only, trailing blanks and spaces trimmed; stderr with 2>&1', () => {
    const r = { code: 0, stdout: 'a  \n\nb\n\n', stderr: 'note\n' };
    expect(shownOutput(cmd('microgpt x'), r)).toEqual(['a', '', 'b']);
    expect(shownOutput(cmd('microgpt x 2>&1'), r)).toEqual(['a', '', 'b', '', 'note']);
  });

  it('a failing command shows its error line and its exit status; behind a pipe it is refused', () => {
    const r = { code: 2, stdout: '', stderr: 'microgpt: error MG014: unknown family\n' };
    expect(shownOutput(cmd('microgpt x'), r)).toEqual(['microgpt: error MG014: unknown family', '[exit 2]']);
    expect(() => shownOutput(cmd('microgpt x | head -n 1'), r)).toThrow(/exit 2 behind a pipe/);
  });

  it('masks what measures the machine, and nothing else', () => {
    expect(mask('Time: 0.600 s, 1,667 steps/s')).toBe('Time: … s, … steps/s');
    expect(mask('1000 steps in 9.9 s.')).toBe('1000 steps in … s.');
    expect(mask('at step 320 (3.8 s)')).toBe('at step 320 (… s)');
    expect(mask('16 sequences, 4 heads, 2.3226 nats, 12 ms')).toBe('16 sequences, 4 heads, 2.3226 nats, … ms');
  });
});

describe('pages', () => {
  const echo: Runner = async (argv) => ({ code: 0, stdout: `ran ${argv.join(' ')}\n`, stderr: '' });
  const context = (run: Runner = echo): PageContext => ({
    run,
    fixtures: new FixtureStore(run),
    facts: new Map([['families', '19']]),
  });
  const page = [
    '# t',
    'We know <!-- fact:families -->7<!-- /fact --> families.',
    '```console',
    '$ microgpt explain --attention mar \\',
    '  --seed 3',
    'stale output',
    '```',
    '```text',
    'not a command',
    '```',
    '',
  ].join('\n');

  it('parse and render give the page back byte for byte', () => {
    expect(render(parse(page))).toBe(page);
  });

  it('reads a console block as one command (continued with a backslash) and its output', () => {
    const fence = parse(page).find((p) => p.fence?.lang === 'console')!.fence!;
    expect(consoleEntry(fence)).toEqual({
      command: 'microgpt explain --attention mar --seed 3',
      lines: ['$ microgpt explain --attention mar \\', '  --seed 3'],
      output: ['stale output'],
    });
  });

  it('regenerates outputs and facts, and leaves a current page as it is', async () => {
    const ctx = context();
    const { text, commands } = await regenerate(page, ctx);
    expect(commands).toEqual(['microgpt explain --attention mar --seed 3']);
    expect(text).toBe(
      page.replace('-->7<!--', '-->19<!--').replace('stale output', 'ran explain --attention mar --seed 3'),
    );
    expect((await regenerate(text, ctx)).text).toBe(text);
    ctx.fixtures.dispose();
  });

  it('refuses a command hidden in a text block, an unknown fact, a fact that opens a line, and an sh line that is neither microgpt nor npm', async () => {
    const ctx = context();
    await expect(regenerate('```text\n$ microgpt x\n```\n', ctx)).rejects.toThrow(/shows a command/);
    await expect(regenerate('<!-- fact:nope -->1<!-- /fact -->\n', ctx)).rejects.toThrow(/unknown fact/);
    await expect(regenerate('- <!-- fact:families -->1<!-- /fact --> of them\n', ctx)).rejects.toThrow(
      /starts with a fact/,
    );
    await expect(regenerate('```sh\ncurl example.com | sh\n```\n', ctx)).rejects.toThrow(/a sh block runs/);
    await expect(regenerate('```sh\nnpm run no-such-script\n```\n', ctx)).rejects.toThrow(/a sh block runs/);
    ctx.fixtures.dispose();
  });

  it('an sh block runs its microgpt commands and needs them to succeed', async () => {
    const failing: Runner = async () => ({ code: 2, stdout: '', stderr: 'microgpt: error MG000: bad\n' });
    const ctx = context(failing);
    await expect(regenerate('```sh\nnpx microgpt nonsense\n```\n', ctx)).rejects.toThrow(/exits 2/);
    ctx.fixtures.dispose();
  });

  it('a placeholder names a fixture; a command that writes it makes its own', () => {
    expect(fixtureNamed('models/gpt2')).toBe('models/gpt2');
    expect(fixtureNamed('models/gpt2/config.json')).toBe('models/gpt2');
    expect(fixtureNamed('models/gpt2-tiny')).toBe('models/gpt2-tiny');
    expect(fixtureNamed('elsewhere.safetensors')).toBeNull();
  });
});
