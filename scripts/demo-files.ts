/**
 * npm run demo-files [-- DIR] — writes every file README.md and docs/ name
 * (m.safetensors, names.txt, models/gpt2, models/gpt2-tiny,
 * models/llama-2-7b.Q4_K_M.gguf …) into DIR (default: demo/ in the
 * repository), made exactly as `npm run docs` makes them for the pages: sparse
 * copies of published layouts (headers only, kilobytes on disk) and tiny
 * models with random or seeded weights. Then the pages' commands run as shown:
 * `cd demo && npx microgpt explain --detect --model models/gpt2-tiny`.
 * Nothing is downloaded; an existing file is left as it is.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ROOT, runCli } from '../test/helpers/cli.js';
import { FIXTURES } from './docs/fixtures.js';

const dir = resolve(process.argv[2] ?? join(ROOT, 'demo'));
mkdirSync(dir, { recursive: true });
const run = (argv: readonly string[], cwd: string) => runCli([...argv], { NO_COLOR: '1' }, cwd);
for (const [name, fixture] of Object.entries(FIXTURES)) {
  const path = join(dir, name);
  if (existsSync(path)) {
    console.log(`${name}: already there, left as it is`);
    continue;
  }
  mkdirSync(dirname(path), { recursive: true });
  await fixture.build(path, run, dir);
  console.log(`${name}: ${fixture.about}`);
}
console.log(
  `\nwrote ${dir}; run the pages' commands from there, e.g.\n  cd ${dir} && npx microgpt inspect models/gpt2`,
);
