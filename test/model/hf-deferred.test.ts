/**
 * Runs that want no logits, and the embedding read at first use: a run with
 * logits 'none' gives every pattern of a full run bit for bit, returns no
 * logits and never reads the head; it ends after the last point a hook wants
 * (a NaN in the last MLP is never reached), yet with a state it fills every
 * layer's keys and values. The token embedding's rows read alone from the file
 * are the bits of the rows of the whole matrix, in every stored dtype; a file
 * cut short after loading is one error, not a crash.
 */
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockHook, cachingHook, globMatcher, type Engine } from '../../src/engine/index.js';
import { MicrogptError } from '../../src/errors.js';
import { readSafetensorsHeader } from '../../src/formats/index.js';
import { loadHfModel } from '../../src/model/hf/load.js';
import { gpt2Layout, writeRandomHf } from '../helpers/hf-models.js';
import { llamaLikeTensors } from '../helpers/model-files.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-hf-deferred-'));
const ids = [5, 77, 12, 250, 3, 3, 140, 9, 61];

function gpt2Folder(name: string, dtype = 'F32'): string {
  const layout = gpt2Layout({ hidden: 64, layers: 2, vocab: 300, positions: 64 }).map((t) => ({ ...t, dtype }));
  return writeRandomHf(
    join(dir, name),
    { model_type: 'gpt2', n_embd: 64, n_layer: 2, n_head: 4, n_positions: 64, vocab_size: 300 },
    layout,
    { seed: 3 },
  );
}

/** An untied head (llama): the embedding and the head are two deferred tensors. */
function llamaFolder(name: string): string {
  const m = { hidden: 32, layers: 2, heads: 4, kvHeads: 2, headDim: 8, intermediate: 64, vocab: 300, tied: false };
  const config = {
    model_type: 'llama',
    hidden_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    intermediate_size: 64,
    vocab_size: 300,
    max_position_embeddings: 64,
  };
  return writeRandomHf(join(dir, name), config, llamaLikeTensors({ ...m, dtype: 'F32' }), { seed: 7 });
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Buffer.from(Float64Array.from(a).buffer).equals(Buffer.from(Float64Array.from(b).buffer));

const PATTERNS = globMatcher(['blocks.*.attn.hook_pattern']);

/** Every pattern (and whatever else `match` takes) of one run. */
function patterns(e: Engine, logits: 'all' | 'last' | 'none', match = PATTERNS) {
  const { hook, cache } = cachingHook(match);
  const r = e.run(ids, { hooks: [hook], logits });
  return { ...r, cache };
}

describe.each([
  ['gpt2 (tied head)', () => gpt2Folder('gpt2')],
  ['llama (untied head)', () => llamaFolder('llama')],
])('%s: logits none', (_, make) => {
  const folder = make();

  it('gives every pattern of a full run bit for bit, no logits, and never reads the head', async () => {
    const e = await loadHfModel(folder);
    const none = patterns(e, 'none');
    expect([none.logits.length, none.rows]).toEqual([0, 0]);
    expect(e.model.weights.lmHead.read).toBe(false);
    expect(e.model.weights.embed.read).toBe(false);
    const full = patterns(e, 'all');
    expect(e.model.weights.lmHead.read).toBe(true);
    expect(full.logits.length).toBe(ids.length * e.info.vocab);
    expect([...none.cache.keys()]).toEqual([...full.cache.keys()]);
    expect(none.cache.size).toBe(e.info.layers);
    for (const [name, { values }] of full.cache) expect(same(none.cache.get(name)!.values, values), name).toBe(true);
    const variants = e.runVariants(ids, [[], []], { logits: 'none' });
    expect(variants.map((r) => [r.logits.length, r.rows])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    e.close();
  });

  it('with a state, fills every layer: the next token gives the logits it gives after a run with logits', async () => {
    const e = await loadHfModel(folder);
    const next = [42];
    const a = e.newState(16),
      b = e.newState(16);
    const { hook } = cachingHook((n) => n === blockHook(0, 'attn.hook_pattern'));
    e.run(ids, { state: a, logits: 'none', hooks: [hook] });
    e.run(ids, { state: b, logits: 'last' });
    expect(
      same(e.run(next, { state: a, logits: 'last' }).logits, e.run(next, { state: b, logits: 'last' }).logits),
    ).toBe(true);
    a.release?.();
    b.release?.();
    e.close();
  });
});

describe('a run without logits ends after the last point a hook wants', () => {
  /** gpt2 with a NaN in the last layer's MLP (c_fc), which only the MLP and what follows it see. */
  function poisoned(): string {
    const folder = gpt2Folder('gpt2-nan-mlp');
    const file = join(folder, 'model.safetensors');
    const t = readSafetensorsHeader(file).tensors.find((x) => x.name === 'h.1.mlp.c_fc.weight')!;
    const nan = Buffer.alloc(4);
    nan.writeFloatLE(NaN, 0);
    const fd = openSync(file, 'r+');
    writeSync(fd, nan, 0, 4, t.offset + 4 * 10);
    closeSync(fd);
    return folder;
  }

  it('patterns of every layer never reach the last MLP; a hook on the stream after it, or logits, do', async () => {
    const e = await loadHfModel(poisoned());
    expect(patterns(e, 'none').cache.size).toBe(2);
    const late = (n: string) => PATTERNS(n) || n === blockHook(1, 'hook_resid_post');
    expect(() => patterns(e, 'none', late)).toThrow(/NaN appeared at layer 1, blocks\.1\.mlp\.hook_pre/);
    expect(() => patterns(e, 'last')).toThrow(/NaN appeared at layer 1, blocks\.1\.mlp\.hook_pre/);
    // A hook on the final norm or the logits runs the whole model, though no logits come back.
    expect(() => patterns(e, 'none', (n) => n === 'hook_logits')).toThrow(/NaN appeared/);
    e.close();
  });
});

describe('the embedding read at first use', () => {
  it.each(['F32', 'BF16', 'F16'])(
    '%s: rows read alone are the bits of the whole matrix, and so is every hook_embed',
    async (dtype) => {
      const folder = gpt2Folder(`gpt2-${dtype}`, dtype);
      const e = await loadHfModel(folder);
      const W = e.model.weights.embed;
      expect(W.dtype).toBe(dtype);
      const alone = [0, 1, 150, 299].map((i) => W.row(i));
      const first = patterns(e, 'none', (n) => n === 'hook_embed').cache.get('hook_embed')!.values;
      expect(W.read).toBe(false);
      const whole = W.values();
      expect(W.read).toBe(true);
      [0, 1, 150, 299].forEach((i, k) => expect(same(alone[k]!, whole.subarray(i * 64, (i + 1) * 64))).toBe(true));
      expect(same(patterns(e, 'none', (n) => n === 'hook_embed').cache.get('hook_embed')!.values, first)).toBe(true);
      expect(() => W.row(300)).toThrow(RangeError);
      e.close();
    },
  );

  it('a file cut short after loading: the head read later is one MG083 error', async () => {
    const folder = join(dir, 'cut');
    mkdirSync(folder, { recursive: true });
    const from = gpt2Folder('gpt2-to-cut');
    for (const f of ['config.json', 'model.safetensors']) copyFileSync(join(from, f), join(folder, f));
    const e = await loadHfModel(folder);
    truncateSync(join(folder, 'model.safetensors'), 64);
    const err = (() => {
      try {
        e.run(ids);
      } catch (x) {
        return x;
      }
    })();
    expect(err).toBeInstanceOf(MicrogptError);
    expect((err as MicrogptError).code).toBe('MG083');
    expect((err as Error).message).toMatch(/wte\.weight.*the file ends before its data does/);
    e.close();
  });
});
