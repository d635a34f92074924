/**
 * Regenerates a page: runs every command it shows, in order, in a folder of
 * its own, and writes what each prints under it — at 80 columns, without
 * colour, with the default seeds — masking only what is a measurement of
 * this machine (durations, rates), so the same code always gives the same page.
 * `npm run docs` writes the result back; the docs test fails when it differs
 * from the page as committed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  consoleEntry,
  factNames,
  factsOpeningLines,
  fences,
  parse,
  render,
  withFacts,
  type Fence,
} from './markdown.js';
import { parseShown, words, type ShownCommand } from './shell.js';
import type { FixtureStore, RunResult, Runner } from './fixtures.js';

/** Machine measurements in an output, replaced by "…" (in the page and in what the test compares). */
const MASKS: ReadonlyArray<[RegExp, string]> = [
  [/\b\d[\d,]*(?:\.\d+)? (steps|tokens|GFLOP)\/s\b/g, '… $1/s'],
  [/\b\d[\d,]*(?:\.\d+)? (s|ms)\b(?!\/)/g, '… $1'],
];

export const mask = (line: string): string => MASKS.reduce((l, [re, to]) => l.replace(re, to), line);

const lines = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

/** What the page shows under a command: stdout (excerpted), stderr with 2>&1 or on failure, and a failing exit status. */
export function shownOutput(cmd: ShownCommand, r: RunResult): string[] {
  let out = lines(r.stdout);
  if (cmd.withStderr) out.push(...lines(r.stderr));
  if (r.code !== 0 && cmd.excerpts.length > 0)
    throw new Error(`exit ${r.code} behind a pipe (the shell would hide it): ${r.stderr.trim()}`);
  for (const e of cmd.excerpts) out = e.apply(out);
  if (r.code !== 0) out.push(...(cmd.withStderr ? [] : lines(r.stderr)), `[exit ${r.code}]`);
  out = out.map((l) => mask(l).trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  const fence = out.find((l) => l.startsWith('```'));
  if (fence !== undefined) throw new Error(`an output line would close the page's fenced block: ${fence}`);
  return out;
}

export interface PageContext {
  run: Runner;
  fixtures: FixtureStore;
  facts: ReadonlyMap<string, string>;
}

export interface Regenerated {
  text: string;
  /** Every microgpt command run, as shown. */
  commands: string[];
}

/** npm scripts a `sh` block may name: those package.json has. */
const npmScripts = (): Set<string> =>
  new Set(
    Object.keys((JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as { scripts: object }).scripts),
  );
const ROOT_DIR = join(import.meta.dirname, '..', '..');

/**
 * A `sh` block lists commands without their output: each microgpt command in
 * it must run and exit 0; the other commands allowed are npm's own and its
 * scripts that exist. Comments and blank lines are free.
 */
async function checkShBlock(fence: Fence, ctx: PageContext, cwd: string, ran: string[]): Promise<void> {
  const scripts = npmScripts();
  for (const raw of fence.body) {
    const line = raw.replace(/^\$ /, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    for (const part of line.split(' && ')) {
      const shown = parseShown(part);
      if (shown) {
        if (shown.excerpts.length > 0) throw new Error(`line ${fence.line}: pipes belong in console blocks: ${part}`);
        await ctx.fixtures.prepare(shown.argv, cwd);
        const r = await ctx.run(shown.argv, cwd);
        if (r.code !== 0) throw new Error(`line ${fence.line}: "${part}" exits ${r.code}: ${r.stderr.trim()}`);
        ran.push(part);
        continue;
      }
      const w = words(part);
      const npm =
        w[0] === 'npm' && (['install', 'ci', 'test'].includes(w[1]!) || (w[1] === 'run' && scripts.has(w[2]!)));
      if (!npm)
        throw new Error(
          `line ${fence.line}: a sh block runs microgpt or npm (install, ci, test, run <script>): ${part}`,
        );
    }
  }
}

/** Other blocks (text, json, python …) show no command: a command belongs in a console or sh block, where it is run. */
function checkQuietBlock(fence: Fence): void {
  for (const l of fence.body)
    if (/^(\$ |(npx )?microgpt )/.test(l))
      throw new Error(
        `line ${fence.line}: a \`\`\`${fence.lang} block shows a command; use \`\`\`console (run, output checked) or \`\`\`sh`,
      );
}

export async function regenerate(text: string, ctx: PageContext): Promise<Regenerated> {
  const cwd = ctx.fixtures.workspace();
  const commands: string[] = [];
  const unknown = factNames(parse(text)).filter((n) => !ctx.facts.has(n));
  if (unknown.length > 0) throw new Error(`unknown fact(s): ${unknown.join(', ')}`);
  const opening = factsOpeningLines(parse(text));
  if (opening.length > 0)
    throw new Error(`a line starts with a fact (Markdown would read the line as HTML): ${opening[0]}`);
  const parts = withFacts(parse(text), (n) => ctx.facts.get(n)!);
  for (const fence of fences(parts)) {
    if (fence.lang === 'sh') await checkShBlock(fence, ctx, cwd, commands);
    if (fence.lang !== 'console') {
      if (fence.lang !== 'sh') checkQuietBlock(fence);
      continue;
    }
    const entry = consoleEntry(fence);
    const shown = parseShown(entry.command);
    if (!shown) throw new Error(`line ${fence.line}: console blocks run microgpt: ${entry.command}`);
    await ctx.fixtures.prepare(shown.argv, cwd);
    try {
      fence.body = [...entry.lines, ...shownOutput(shown, await ctx.run(shown.argv, cwd))];
    } catch (err) {
      throw new Error(`line ${fence.line}: $ ${entry.command}: ${(err as Error).message}`);
    }
    commands.push(entry.command);
  }
  return { text: render(parts), commands };
}
