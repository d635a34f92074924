/**
 * npm run docs — runs every command README.md and docs/*.md show and writes
 * what each prints back under it (and the facts the prose states), so the
 * pages say what the code does today. `--check` writes nothing and exits 1
 * when a page is out of date (the docs test does the same). Pages may be named
 * to do only those: `npm run docs -- docs/gallery.md`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../test/helpers/cli.js';
import { openDocs, pages } from './docs/pages.js';
import { regenerate } from './docs/run.js';

const args = process.argv.slice(2);
const check = args.includes('--check');
const named = args.filter((a) => !a.startsWith('--'));
const ctx = await openDocs();
let stale = 0;
try {
  for (const page of named.length > 0 ? named : pages()) {
    const path = join(ROOT, page);
    const before = readFileSync(path, 'utf8');
    const started = Date.now();
    const { text, commands } = await regenerate(before, ctx);
    const changed = text !== before;
    if (changed && !check) writeFileSync(path, text);
    if (changed) stale++;
    const what = changed ? (check ? 'OUT OF DATE' : 'updated') : 'up to date';
    console.log(`${page}: ${commands.length} commands, ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
} finally {
  ctx.dispose();
}
if (check && stale > 0) {
  console.log(`${stale} page(s) out of date: run npm run docs`);
  process.exitCode = 1;
}
