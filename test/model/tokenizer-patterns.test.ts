/**
 * A tokenizer.json's Regex patterns are compiled by @huggingface/tokenizers
 * into backtracking RegExps (red team: normalizer Replace "(a|aa)+$" made
 * `sample --prompt aaaa…ab` run for minutes). Only the exact patterns of known
 * tokenizers are accepted; any other is refused (MG113) before the library
 * compiles it, wherever it sits. Nothing here times anything.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MicrogptError } from '../../src/errors.js';
import type { HfSpec } from '../../src/model/hf/spec.js';
import { loadTokenizer } from '../../src/model/hf/tokenizer.js';
import { KNOWN_PATTERNS, MAX_STRING_PATTERN } from '../../src/model/hf/tokenizer-patterns.js';
import { expectOneLineError, runCli } from '../helpers/cli.js';
import { charTokenizerJson, gpt2Layout, writeRandomHf } from '../helpers/hf-models.js';

const root = mkdtempSync(join(tmpdir(), 'microgpt-tokpat-'));
const spec = { family: 'llama', vocab: 28 } as HfSpec;
let n = 0;

/** A folder whose tokenizer.json is the character one with `parts` put over it. */
function folder(parts: Record<string, unknown>): string {
  const dir = join(root, `t${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ ...charTokenizerJson({ space: true }), ...parts }));
  return dir;
}

const split = (pattern: unknown) => ({ type: 'Split', pattern, behavior: 'Isolated', invert: false });
const replace = (pattern: unknown) => ({ type: 'Replace', pattern, content: 'x' });

async function refusal(dir: string): Promise<string> {
  try {
    await loadTokenizer(dir, spec);
  } catch (e) {
    expect(e).toBeInstanceOf(MicrogptError);
    expect((e as MicrogptError).code).toBe('MG113');
    return (e as Error).message;
  }
  throw new Error('the tokenizer was accepted');
}

describe('tokenizer.json patterns', () => {
  it("refuses the red team's exponential patterns, naming the field, wherever they sit", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ normalizer: replace({ Regex: '(a|aa)+$' }) }, /normalizer\.pattern\.Regex is "\(a\|aa\)\+\$"/],
      [{ pre_tokenizer: split({ Regex: '(a+)+$' }) }, /pre_tokenizer\.pattern\.Regex is "\(a\+\)\+\$"/],
      [{ pre_tokenizer: split({ Regex: '(?<=a)b[' }) }, /pre_tokenizer\.pattern\.Regex/],
      [
        { pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'ByteLevel' }, split({ Regex: '(x*)*y' })] } },
        /pre_tokenizer\.pretokenizers\[1\]\.pattern\.Regex/,
      ],
      [{ decoder: { type: 'Sequence', decoders: [replace({ Regex: '(a|a)*b' })] } }, /decoder\.decoders\[0\]\.pattern/],
      [{ normalizer: replace({ Regex: 42 }) }, /normalizer\.pattern\.Regex is number/],
      [{ normalizer: replace({ String: 'a'.repeat(MAX_STRING_PATTERN + 1) }) }, /65 characters long \(at most 64\)/],
      [{ normalizer: replace({ String: ['a'] }) }, /normalizer\.pattern\.String is not a string/],
    ];
    for (const [parts, message] of cases) expect(await refusal(folder(parts))).toMatch(message);
  });

  it("accepts GPT-2's, Llama 3's and Qwen2's split patterns and short String patterns, and they run", async () => {
    expect(KNOWN_PATTERNS.size).toBe(3);
    for (const Regex of KNOWN_PATTERNS.keys()) {
      const tok = await loadTokenizer(folder({ pre_tokenizer: split({ Regex }) }), spec);
      // "<s>" first (the post-processor), then one id per character: a=0 … z=25, " "=26.
      expect(tok!.encode('ab cd')).toEqual([27, 0, 1, 26, 2, 3]);
    }
    const tok = await loadTokenizer(folder({ normalizer: replace({ String: 'q' }) }), spec);
    expect(tok!.encode('aqa')).toEqual([27, 0, 23, 0]);
  });

  it('vocabulary entries named Regex or String are not patterns', async () => {
    const json = charTokenizerJson({ space: true }) as { model: { vocab: Record<string, number> } };
    const dir = folder({ model: { ...json.model, vocab: { ...json.model.vocab, Regex: 28, String: 29 } } });
    expect(await loadTokenizer(dir, spec)).not.toBeNull();
  });

  it("the red team's command: one line, MG113, exit 2 (before: > 30 s)", async () => {
    const dir = join(root, 'gpt2');
    writeRandomHf(
      dir,
      { model_type: 'gpt2', n_embd: 16, n_layer: 1, n_head: 2, n_positions: 16, vocab_size: 28 },
      gpt2Layout({ hidden: 16, layers: 1, vocab: 28, positions: 16 }),
      { tokenizer: true },
    );
    writeFileSync(
      join(dir, 'tokenizer.json'),
      JSON.stringify({ ...charTokenizerJson({ space: true }), normalizer: replace({ Regex: '(a|aa)+$' }) }),
    );
    expectOneLineError(
      await runCli(['sample', '--prompt', `${'a'.repeat(40)}b`, '--model', dir]),
      /MG113: .*tokenizer\.json: normalizer\.pattern\.Regex is "\(a\|aa\)\+\$", not a pattern this tool runs/,
    );
  });
});
