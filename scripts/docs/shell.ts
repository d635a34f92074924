/**
 * The command lines the docs show, read the way a POSIX shell would read
 * them — but only the little shell the docs need, so that every line shown
 * can be pasted into a terminal and do what the page says: words with
 * single or double quotes, `2>&1`, and a pipe into `head`, `tail` or
 * `sed -n 'A,Bp'` to show an excerpt. Anything else is refused by name
 * rather than guessed at.
 */

export interface Excerpt {
  /** As written, for messages. */
  text: string;
  apply(lines: string[]): string[];
}

export interface ShownCommand {
  /** The arguments after `microgpt` (or `npx microgpt`). */
  argv: string[];
  /** `2>&1`: stderr is shown too, after stdout. */
  withStderr: boolean;
  excerpts: Excerpt[];
}

/** Splits a line into words; `|` outside quotes is a word of its own. */
export function words(line: string): string[] {
  const out: string[] = [];
  let word: string | null = null;
  let i = 0;
  const add = (s: string) => (word = (word ?? '') + s);
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (word !== null) out.push(word);
      word = null;
      i++;
    } else if (c === '|') {
      if (word !== null) out.push(word);
      word = null;
      out.push('|');
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${line}`);
      add(line.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < line.length && line[j] !== '"') {
        // Inside double quotes a backslash escapes only what the shell lets it escape.
        if (line[j] === '\\' && '"\\$`'.includes(line[j + 1] ?? '')) j++;
        else if ('$`'.includes(line[j]!)) throw new Error(`$ and \` are not supported in docs commands: ${line}`);
        s += line[j];
        j++;
      }
      if (j >= line.length) throw new Error(`unclosed " in: ${line}`);
      add(s);
      i = j + 1;
    } else if ('\\$`;&<>(){}*?~#'.includes(c) && !line.startsWith('2>&1', i)) {
      throw new Error(`"${c}" needs a real shell; quote it or leave it out of docs commands: ${line}`);
    } else if (line.startsWith('2>&1', i)) {
      if (word !== null) out.push(word);
      out.push('2>&1');
      word = null;
      i += 4;
    } else {
      add(c);
      i++;
    }
  }
  if (word !== null) out.push(word);
  return out;
}

const count = (s: string | undefined, what: string): number => {
  if (s === undefined || !/^\d+$/.test(s)) throw new Error(`${what}: expected a line count, got ${s ?? 'nothing'}`);
  return Number(s);
};

/** `head -n N` / `head -N`, `tail -n N` / `tail -N`, `sed -n 'A,Bp'` / `sed -n 'Np'`. */
export function excerpt(ws: readonly string[]): Excerpt {
  const text = ws.join(' ');
  const [cmd, a, b] = ws;
  const n = () => (a === '-n' ? count(b, text) : count(a?.startsWith('-') ? a.slice(1) : undefined, text));
  const arity = a === '-n' ? 3 : 2;
  if ((cmd === 'head' || cmd === 'tail') && ws.length === arity) {
    const k = n();
    return { text, apply: (lines) => (cmd === 'head' ? lines.slice(0, k) : k === 0 ? [] : lines.slice(-k)) };
  }
  const range = cmd === 'sed' && a === '-n' && ws.length === 3 ? /^(\d+)(?:,(\d+))?p$/.exec(b!) : null;
  if (range) {
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    return { text, apply: (lines) => lines.slice(from - 1, to) };
  }
  throw new Error(`unsupported filter "${text}": use head -n N, tail -n N or sed -n 'A,Bp'`);
}

/** A line shown after `$ `, or null when it does not run microgpt. */
export function parseShown(line: string): ShownCommand | null {
  const ws = words(line);
  const start = ws[0] === 'npx' ? 1 : 0;
  if (ws[start] !== 'microgpt') return null;
  const segments: string[][] = [[]];
  for (const w of ws.slice(start + 1)) {
    if (w === '|') segments.push([]);
    else segments[segments.length - 1]!.push(w);
  }
  const [first, ...rest] = segments;
  const withStderr = first!.includes('2>&1');
  const argv = first!.filter((w) => w !== '2>&1');
  if (withStderr && first![first!.length - 1] !== '2>&1')
    throw new Error(`2>&1 goes at the end of the command: ${line}`);
  return { argv, withStderr, excerpts: rest.map(excerpt) };
}
