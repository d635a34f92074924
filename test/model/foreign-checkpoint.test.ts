/**
 * A microGPT checkpoint written by another tool — a PyTorch script that saves
 * nanoGPT's five sizes and nothing else — loads with Hugging Face's defaults
 * for the rest, and says which it assumed (issue 19).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointBytes, checkpointFromBytes, Gpt, MICROGPT, Tokenizer } from '../../src/model/index.js';
import { Graph, Rng } from '../../src/tensor/index.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-foreign-'));

/**
 * The file as such a script writes it, by hand here (not with this tool's
 * serializer): 8-byte length, the JSON header, F32 little-endian data, tensors
 * in the order given, [out, in] matrices.
 */
function foreignCheckpoint(tensors: Array<[string, number[], Float64Array]>, config: object): Buffer {
  const header: Record<string, unknown> = {
    __metadata__: { format: 'microgpt', config: JSON.stringify(config), vocab: 'abcdefghijklmnopqrstuvwxyz' },
  };
  let offset = 0;
  for (const [name, shape, data] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + 4 * data.length] };
    offset += 4 * data.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const data = Buffer.alloc(offset);
  let at = 0;
  for (const [, , values] of tensors) for (const v of values) at = data.writeFloatLE(v, at);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

/** microGPT's tensors (docs/architecture.md) with seeded values, n_embd 16, one layer, 27 tokens, 16 positions. */
function weights(seed: number): Array<[string, number[], Float64Array]> {
  const rng = new Rng(seed);
  const t = (name: string, shape: number[]): [string, number[], Float64Array] => [
    name,
    shape,
    Float64Array.from({ length: shape[0]! * shape[1]! }, () => Math.fround(rng.gauss(0, 0.1))),
  ];
  return [
    t('wte', [27, 16]),
    t('wpe', [16, 16]),
    t('lm_head', [27, 16]),
    t('layer0.attn_wq', [16, 16]),
    t('layer0.attn_wk', [16, 16]),
    t('layer0.attn_wv', [16, 16]),
    t('layer0.attn_wo', [16, 16]),
    t('layer0.mlp_fc1', [64, 16]),
    t('layer0.mlp_fc2', [16, 64]),
  ];
}

const ESSENTIALS = { n_layer: 1, n_embd: 16, n_head: 4, block_size: 16, vocab_size: 27 };

describe('a checkpoint whose config holds only the five sizes', () => {
  it('loads, with n_inner = 4·n_embd, n_kv_head = n_head, norm_eps 1e-5, init_std 0.02 assumed and listed (before: MG058 n_inner is undefined)', () => {
    const loaded = checkpointFromBytes('foreign', foreignCheckpoint(weights(1), ESSENTIALS));
    expect(loaded.model.config).toEqual({ ...MICROGPT, initStd: 0.02 });
    expect(loaded.assumed).toEqual([
      'n_inner = 4·n_embd = 64',
      'n_kv_head = n_head = 4',
      'norm_eps = 1e-5',
      'init_std = 0.02',
    ]);
  });

  it('computes what the same weights compute in a checkpoint microgpt writes itself', () => {
    const w = weights(2);
    const foreign = checkpointFromBytes('foreign', foreignCheckpoint(w, ESSENTIALS)).model;
    const own = Gpt.init(MICROGPT, 5);
    for (const [name, , data] of w) own.param(name).data.set(data);
    const ours = checkpointFromBytes('own', checkpointBytes(own, Tokenizer.default(), {})).model;
    const ids = [26, 12, 0, 17, 24];
    const a = foreign.forward(new Graph(false), ids).data;
    const b = ours.forward(new Graph(false), ids).data;
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('a size missing is still refused, by name', () => {
    const { n_embd: _, ...four } = ESSENTIALS;
    expect(() => checkpointFromBytes('foreign', foreignCheckpoint(weights(1), four))).toThrow(
      /MG058|metadata config\.n_embd is undefined; expected a positive integer/,
    );
  });

  it('through the CLI: the note on stderr names what was assumed; the output is unchanged', async () => {
    const p = join(dir, 'foreign.safetensors');
    writeFileSync(p, foreignCheckpoint(weights(3), ESSENTIALS));
    const r = await runCli(['sample', '--model', p, '-n', '2', '--seed', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      `note: ${p}: its config gives no n_inner, n_kv_head, norm_eps, init_std; assumed Hugging Face's defaults n_inner = 4·n_embd = 64, n_kv_head = n_head = 4, norm_eps = 1e-5, init_std = 0.02\n`,
    );
    expect(r.stdout.length).toBeGreaterThan(0);
  });
});
