/**
 * Facts the help text states, computed when help is printed: help strings say
 * {names} and {families}, and these are counted from the data, so the help
 * cannot drift from the corpus or the shipped contracts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtinNames } from '../model/corpus.js';
import { packageRoot } from '../paths.js';
import { grouped } from '../render/style.js';

const FACTS: ReadonlyArray<[string, () => string]> = [
  ['{names}', () => grouped(builtinNames().length)],
  [
    '{families}',
    () =>
      String(
        readdirSync(join(packageRoot(), 'contracts')).filter((f) => f.endsWith('.json') && f !== 'schema.json').length,
      ),
  ],
];

/** Help text with every fact placeholder replaced by its value (each computed only if the text uses it). */
export function fillHelpFacts(text: string): string {
  let out = text;
  for (const [key, value] of FACTS) if (out.includes(key)) out = out.split(key).join(value());
  return out;
}
