/**
 * The parts of a Markdown page the docs tooling reads and rewrites:
 *
 * - ```console blocks: a `$ microgpt …` line followed by what it prints. The
 *   output is regenerated; the command line is kept exactly.
 * - every other fenced block, so a test can check what it holds (a `sh` block
 *   lists commands without output; other languages must not hide a command).
 * - facts: `<!-- fact:NAME -->value<!-- /fact -->`, numbers and lists the
 *   prose states that come from the code (how many families, which ones run).
 *
 * Everything else is left byte for byte as it was.
 */

export interface ConsoleEntry {
  /** The command as shown, after `$ `, continuation lines joined. */
  command: string;
  /** The lines the command takes on the page, `$ ` and continuations included. */
  lines: string[];
  /** The output lines shown under it. */
  output: string[];
}

export interface Fence {
  /** The info string after the opening ``` (`console`, `sh`, `text` …). */
  lang: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
  /** Lines between the fences. */
  body: string[];
}

interface Part {
  text: string[];
  fence: Fence | null;
}

/** The page as alternating prose and fenced blocks; `render(parse(t))` is `t`. */
export function parse(text: string): Part[] {
  const lines = text.split('\n');
  const parts: Part[] = [];
  let prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    // An indented fence (inside a list) would be skipped, its command never run: refused.
    if (/^\s+```/.test(lines[i]!)) throw new Error(`line ${i + 1}: an indented fenced block; put it at the margin`);
    if (!open) {
      prose.push(lines[i]!);
      continue;
    }
    const close = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (close < 0) throw new Error(`line ${i + 1}: a fenced block that never closes`);
    parts.push({ text: prose, fence: null });
    prose = [];
    parts.push({ text: [], fence: { lang: open[1]!, line: i + 1, body: lines.slice(i + 1, close) } });
    i = close;
  }
  parts.push({ text: prose, fence: null });
  return parts;
}

export function render(parts: readonly Part[]): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p.fence) out.push('```' + p.fence.lang, ...p.fence.body, '```');
    else out.push(...p.text);
  }
  return out.join('\n');
}

export const fences = (parts: readonly Part[]): Fence[] => parts.flatMap((p) => (p.fence ? [p.fence] : []));

/**
 * A console block's command and output: the first line is `$ command` (a line
 * ending in a backslash continues on the next), the rest is what it prints.
 * One command per block, so an output may hold anything, `$ ` lines included.
 */
export function consoleEntry(fence: Fence): ConsoleEntry {
  const [first, ...rest] = fence.body;
  if (first === undefined || !first.startsWith('$ '))
    throw new Error(`line ${fence.line}: a console block starts with "$ command"`);
  const entry: ConsoleEntry = { command: first.slice(2), lines: [first], output: [] };
  let i = 0;
  while (entry.command.endsWith(' \\') && i < rest.length) {
    entry.lines.push(rest[i]!);
    entry.command = entry.command.slice(0, -1) + rest[i]!.trimStart();
    i++;
  }
  entry.output = rest.slice(i);
  return entry;
}

const FACT = /<!-- fact:([a-z0-9-]+) -->(.*?)<!-- \/fact -->/g;

/** Replaces every fact's value in the prose (never inside fenced blocks). */
export function withFacts(parts: readonly Part[], value: (name: string) => string): Part[] {
  return parts.map((p) =>
    p.fence
      ? p
      : {
          ...p,
          text: p.text.map((l) =>
            l.replace(FACT, (_, name: string) => `<!-- fact:${name} -->${value(name)}<!-- /fact -->`),
          ),
        },
  );
}

/**
 * Lines a fact opens (after a list marker, if any): Markdown reads a line that
 * starts with `<!--` as raw HTML, so the text after it would not be Markdown.
 * Facts go inside a sentence.
 */
export function factsOpeningLines(parts: readonly Part[]): string[] {
  return parts.flatMap((p) => (p.fence ? [] : p.text.filter((l) => /^\s*(?:[-*+]\s+|\d+\.\s+)?<!-- fact:/.test(l))));
}

export function factNames(parts: readonly Part[]): string[] {
  return parts.flatMap((p) => (p.fence ? [] : p.text.flatMap((l) => [...l.matchAll(FACT)].map((m) => m[1]!))));
}
