/**
 * Patterns in a tokenizer.json are code: @huggingface/tokenizers compiles each
 * `{"Regex": …}` (Split and Replace pre-tokenizers, Replace normalizers and
 * decoders) into a backtracking JavaScript RegExp, so a file with
 * "(a|aa)+$" hung any command given text (red team: 40 a's ran for minutes).
 * No linear-time engine can be put under that library (it calls `new RegExp`
 * itself), so only the exact patterns real tokenizers of the families this
 * tool runs carry are accepted; anything else is refused before the library
 * sees the file. `{"String": …}` patterns are escaped by the library (a literal
 * search, linear); they are only bounded in length.
 */
import { MicrogptError } from '../../errors.js';

/** Known split patterns, as JSON-decoded from real tokenizer.json files, and whose they are. */
export const KNOWN_PATTERNS: ReadonlyMap<string, string> = new Map([
  // GPT-2's own pre-tokenizer pattern (ByteLevel's; some converted files spell it as a Split).
  [String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, "GPT-2's"],
  // Llama 3 / 3.1 / 3.2 (tiktoken's cl100k split).
  [
    String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    "Llama 3's",
  ],
  // Qwen2, Qwen2.5, Qwen3: Llama 3's with single digits.
  [
    String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    "Qwen2's",
  ],
]);

/** Longest literal a `{"String": …}` pattern may be: real ones are one character (" ", "▁"). */
export const MAX_STRING_PATTERN = 64;

/** The parts of tokenizer.json whose patterns the library compiles (`model` and `post_processor` have none; their keys are tokens). */
const SECTIONS = ['normalizer', 'pre_tokenizer', 'decoder'] as const;

/** Refuses (MG113) a tokenizer.json holding a Regex pattern not in KNOWN_PATTERNS, or a String one too long. */
export function checkTokenizerPatterns(json: Record<string, unknown>, file: string): void {
  for (const section of SECTIONS) if (Object.hasOwn(json, section)) walk(json[section], section, file);
}

function walk(v: unknown, where: string, file: string): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => walk(x, `${where}[${i}]`, file));
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  const o = v as Record<string, unknown>;
  if (Object.hasOwn(o, 'Regex')) checkRegex(o.Regex, `${where}.Regex`, file);
  if (Object.hasOwn(o, 'String')) checkString(o.String, `${where}.String`, file);
  for (const [k, x] of Object.entries(o)) if (k !== 'Regex' && k !== 'String') walk(x, `${where}.${k}`, file);
}

function checkRegex(pattern: unknown, where: string, file: string): void {
  if (typeof pattern === 'string' && KNOWN_PATTERNS.has(pattern)) return;
  const shown = typeof pattern === 'string' ? JSON.stringify(pattern.slice(0, 40)) : typeof pattern;
  throw new MicrogptError(
    'MG113',
    `${file}: ${where} is ${shown}${typeof pattern === 'string' && pattern.length > 40 ? '…' : ''}, ` +
      `not a pattern this tool runs (only ${[...new Set(KNOWN_PATTERNS.values())].join(', ')} split patterns); ` +
      "use the model's original tokenizer.json, or give token ids with --ids",
  );
}

function checkString(literal: unknown, where: string, file: string): void {
  if (typeof literal === 'string' && literal.length <= MAX_STRING_PATTERN) return;
  throw new MicrogptError(
    'MG113',
    `${file}: ${where} is ${typeof literal === 'string' ? `${literal.length} characters long (at most ${MAX_STRING_PATTERN})` : 'not a string'}; ` +
      "use the model's original tokenizer.json, or give token ids with --ids",
  );
}
