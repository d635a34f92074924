/**
 * Text to token ids for a real model, with maintained tokenizers:
 * tokenizer.json through @huggingface/tokenizers (offline, from the local
 * file, once its regex patterns are checked to be known ones; whether a BOS is
 * prepended is its post-processor's call), and for a GPT-2 folder without
 * tokenizer files, GPT-2's own BPE from gpt-tokenizer (r50k_base: "Hello
 * world" → [15496, 995]), but for pieces over 128 bytes, which gpt2-bpe.ts
 * merges in O(n log n) with the same result. Both are loaded only when a
 * command needs text.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MicrogptError } from '../../errors.js';
import { readRegularFile } from '../../formats/file.js';
import { checkJson } from '../../formats/json-bytes.js';
import { LIMITS } from '../../formats/types.js';
import { gpt2Bpe } from './gpt2-bpe.js';
import type { HfSpec } from './spec.js';
import { checkTokenizerPatterns } from './tokenizer-patterns.js';

export interface TextTokenizer {
  /** Where the vocabulary comes from, for reports. */
  source: string;
  encode(text: string): number[];
  /** The text piece each id stands for ("Ġcat" shows as " cat"). */
  piece(id: number): string;
  decode(ids: readonly number[]): string;
}

/** tokenizer.json holds the whole vocabulary and merges: Llama 3's is 9 MB; bounded all the same. */
const TOKENIZER_LIMIT = 64 * 1024 * 1024;

function readJson(path: string): Record<string, unknown> {
  const bytes = readRegularFile(path, {
    limit: TOKENIZER_LIMIT,
    code: 'MG085',
    what: 'a tokenizer file',
    isDirectory: 'tokenizer.json must be a file',
  });
  try {
    // Syntax and nesting checked first without building anything: JSON.parse of deeply nested arrays takes gigabytes.
    checkJson(
      bytes,
      (msg) => {
        throw new Error(`not valid JSON: ${msg}`);
      },
      LIMITS.jsonDepth,
    );
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new MicrogptError('MG085', `${path}: not a tokenizer file (${(e as Error).message})`);
  }
}

/** The model folder's tokenizer, GPT-2's built-in one, or null when ids must be given (--ids). */
export async function loadTokenizer(dir: string, spec: HfSpec): Promise<TextTokenizer | null> {
  const file = join(dir, 'tokenizer.json');
  if (existsSync(file)) {
    const json = readJson(file);
    checkTokenizerPatterns(json, file);
    const configFile = join(dir, 'tokenizer_config.json');
    const config = existsSync(configFile) ? readJson(configFile) : {};
    const { Tokenizer } = await import('@huggingface/tokenizers');
    let tok: InstanceType<typeof Tokenizer>;
    try {
      tok = new Tokenizer(json, config);
    } catch (e) {
      throw new MicrogptError('MG085', `${file}: cannot be read as a tokenizer (${(e as Error).message})`);
    }
    // A tokenizer.json can be read and still fail on use (an added token without an id): one line, not a crash.
    const guarded =
      <A extends unknown[], R>(f: (...a: A) => R) =>
      (...a: A): R => {
        try {
          return f(...a);
        } catch (e) {
          throw new MicrogptError('MG085', `${file}: the tokenizer fails on this input (${(e as Error).message})`);
        }
      };
    return {
      source: file,
      encode: guarded((text: string) => tok.encode(text).ids),
      piece: guarded((id: number) => tok.decode([id], { skip_special_tokens: false })),
      decode: guarded((ids: readonly number[]) => tok.decode([...ids], { skip_special_tokens: false })),
    };
  }
  if (spec.family === 'gpt2' && spec.vocab === GPT2_VOCAB) {
    const bpe = await import('gpt-tokenizer/encoding/r50k_base');
    const { R50K_TOKEN_SPLIT_REGEX } = await import('gpt-tokenizer/encodingParams/constants');
    const { default: ranks } = await import('gpt-tokenizer/bpeRanks/r50k_base');
    const long = gpt2Bpe({ encode: bpe.encode, ranks, split: R50K_TOKEN_SPLIT_REGEX, special: [bpe.EndOfText] });
    return {
      source: "GPT-2's BPE (gpt-tokenizer r50k_base; no tokenizer files in the folder)",
      encode: (text) => {
        // gpt-tokenizer throws on it (an internal error before); a special token is given by id, not spelled in text.
        if (text.includes(bpe.EndOfText))
          throw new MicrogptError(
            'MG086',
            `the text holds ${bpe.EndOfText}, GPT-2's end-of-text token, which is not read from text; give it as --ids ${GPT2_VOCAB - 1}`,
          );
        return long.encode(text);
      },
      piece: (id) => bpe.decode([id]),
      decode: (ids) => bpe.decode([...ids]),
    };
  }
  return null;
}

/** GPT-2's vocabulary: 50,000 merges + 256 bytes + <|endoftext|>. */
const GPT2_VOCAB = 50257;
