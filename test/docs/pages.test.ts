// The docs cannot drift: every command README.md and docs/*.md show is run
// again here, and the page must show exactly what it prints now (npm run docs
// rewrites the pages; this test only compares). Links between pages must
// resolve, and the README stays short.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { openDocs, pages } from '../../scripts/docs/pages.js';
import { regenerate } from '../../scripts/docs/run.js';
import { fences, parse } from '../../scripts/docs/markdown.js';

const ctx = await openDocs();
afterAll(() => ctx.dispose());

const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');

/** The first line where the page and what the commands print now part ways, with a little context. */
function firstDifference(page: string, was: string, now: string): string {
  const a = was.split('\n'),
    b = now.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const show = (lines: string[]) => lines.slice(Math.max(0, i - 2), i + 4).map((l) => `    ${l}`);
  return [
    `${page} is out of date at line ${i + 1}; run \`npm run docs\` and review the change.`,
    '  the page shows:',
    ...show(a),
    '  the commands print now:',
    ...show(b),
  ].join('\n');
}

describe.each(pages())('%s', (page) => {
  it('shows what each of its commands prints today', async () => {
    const was = read(page);
    const { text } = await regenerate(was, ctx);
    if (text !== was) expect.fail(firstDifference(page, was, text));
  }, 300_000);

  it('links only to files that exist', () => {
    const links = [...read(page).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
    const broken = links.filter((l) => !/^[a-z]+:/.test(l) && !existsSync(join(ROOT, dirname(page), l)));
    expect(broken).toEqual([]);
  });
});

describe('README.md', () => {
  it('stays short: the gallery and the guides hold the rest', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(260);
  });

  it('starts with the two commands a fresh clone needs', () => {
    const quick = fences(parse(read('README.md'))).find((f) => f.lang === 'sh');
    expect(quick?.body).toEqual(['npm install && npx microgpt example explain_attention', 'npm test']);
  });

  it('builds on npm install, so the quick start works from a fresh clone', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toMatch(/npm run build/);
  });
});
