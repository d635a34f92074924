/**
 * Non-finite numbers are found, not printed: a model folder with NaN (or
 * infinity) in one weight stops every command where the value first appears,
 * with one line naming the layer and the hook point and pointing at
 * validate --scan, which names the tensor; exit 1. No NaN reaches a table, a
 * heatmap, a detector score or a sample.
 */
import { mkdtempSync, openSync, readFileSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensorsHeader } from '../../src/formats/index.js';
import { checkpointFromBytes } from '../../src/model/checkpoint.js';
import { trainSteps } from '../../src/model/train.js';
import { expectOneLineError, runCli } from '../helpers/cli.js';
import { writeRandomHf } from '../helpers/hf-models.js';
import { llamaLikeTensors } from '../helpers/model-files.js';

const root = mkdtempSync(join(tmpdir(), 'microgpt-nan-'));
const L = {
  hidden: 16,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 4,
  intermediate: 32,
  vocab: 40,
  tied: false,
  dtype: 'F32',
} as const;
const config = {
  model_type: 'llama',
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  intermediate_size: 32,
  vocab_size: 40,
  max_position_embeddings: 64,
  bos_token_id: 27,
};

/** A llama folder whose tensor `name` holds `value` at its element `at`. */
function poisoned(dirName: string, name: string, value: number, at = 0): string {
  const dir = writeRandomHf(join(root, dirName), config, llamaLikeTensors(L), { tokenizer: true });
  const file = join(dir, 'model.safetensors');
  const h = readSafetensorsHeader(file);
  const t = h.tensors.find((x) => x.name === name)!;
  const bytes = Buffer.alloc(4);
  bytes.writeFloatLE(value, 0);
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, 4, t.offset + 4 * at);
  closeSync(fd);
  return dir;
}

let nanQ: string, infDown: string, data: string;
beforeAll(() => {
  nanQ = poisoned('nan-q', 'model.layers.1.self_attn.q_proj.weight', NaN, 5);
  infDown = poisoned('inf-down', 'model.layers.0.mlp.down_proj.weight', Infinity, 3);
  data = join(root, 'data.txt');
  writeFileSync(data, 'the cat sat\non the mat\n');
});

const nanAtQ =
  /MG110: a NaN appeared at layer 1, blocks\.1\.attn\.hook_q \(position \d+\) while running .*microgpt validate --scan/;

describe('a NaN weight stops every command at the hook point where it appears (exit 1, one line)', () => {
  it.each([
    [['explain', '--attention', 'the cat']],
    [['explain', '--attention', 'the cat', '--json']],
    [['explain', '--detect']],
    [['sample', '--prompt', 'the', '--max-tokens', '3']],
    [['trace', 'the cat', '--lens']],
    [['eval', '--data', 'DATA']],
    [['ablate', '--text', 'the cat sat']],
    [['patch', '--clean', 'the cat', '--corrupt', 'the mat', '--target', 's']],
    [['cache', 'the cat', '--out', 'OUT']],
  ])('%j', async (args) => {
    const argv = args.map((a) => (a === 'DATA' ? data : a === 'OUT' ? join(root, `c${Math.random()}.safetensors`) : a));
    expectOneLineError(await runCli([...argv, '--model', nanQ]), nanAtQ, 1);
  });

  it('an infinity in the MLP is named where it first makes a non-finite value', async () => {
    expectOneLineError(
      await runCli(['explain', '--attention', 'the cat', '--model', infDown]),
      /MG110: an? (NaN|infinite value) appeared at layer 0, blocks\.0\.hook_mlp_out/,
      1,
    );
  });

  it('validate --scan names the tensor the message points at', async () => {
    const r = await runCli(['validate', nanQ, '--scan']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/model\.layers\.1\.self_attn\.q_proj\.weight/);
  });
});

/**
 * A microGPT checkpoint follows the same rule: the loader does not scan the
 * weights, so inspect and validate look at such a file (a ✗ line, exit 1), a
 * run stops at the first hook point the NaN reaches (MG110, exit 1), and
 * training refuses it (MG060).
 */
describe('a NaN weight in a microGPT checkpoint', () => {
  let ckpt: string, names: string;
  beforeAll(async () => {
    const clean = join(root, 'ckpt.safetensors');
    const r = await runCli(['train', '--steps', '3', '--out', clean, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const t = readSafetensorsHeader(clean).tensors.find((x) => x.name === 'layer0.attn_wq')!;
    const bytes = readFileSync(clean);
    bytes.writeFloatLE(NaN, t.offset + 4 * 7);
    ckpt = join(root, 'ckpt-nan.safetensors');
    writeFileSync(ckpt, bytes);
    names = join(root, 'names.txt');
    writeFileSync(names, 'emma\nolivia\nava\n');
  });

  const atQ =
    /MG110: a NaN appeared at layer 0, blocks\.0\.attn\.hook_q \(position 0\) while running .*ckpt-nan\.safetensors.*microgpt validate --scan/;

  it.each([
    [['explain', '--attention', 'emma']],
    [['explain', '--attention', 'emma', '--json']],
    [['explain', '--detect']],
    [['sample', '--count', '2']],
    [['trace', 'emma']],
    [['eval', '--data', 'DATA']],
    [['ablate', '--text', 'emma']],
    [['patch', '--clean', 'emma', '--corrupt', 'emmy', '--target', 'a']],
    [['cache', 'emma', '--out', 'OUT']],
  ])('%j stops at the hook point with MG110, exit 1', async (args) => {
    const argv = args.map((a) =>
      a === 'DATA' ? names : a === 'OUT' ? join(root, `k${Math.random()}.safetensors`) : a,
    );
    expectOneLineError(await runCli([...argv, '--model', ckpt]), atQ, 1);
  });

  it('inspect shows the file with a ✗ line for the tensor (exit 1); its figures are those of the finite values', async () => {
    const r = await runCli(['inspect', ckpt], { COLUMNS: '200' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/✗ layer0\.attn_wq: 1 NaN; the figures are those of its finite values/);
    expect(r.stdout).not.toMatch(/NaN(?!;)/);
    const j = await runCli(['inspect', ckpt, '--json']);
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout);
    const wq = doc.tensors.find((t: { name: string }) => t.name === 'layer0.attn_wq');
    expect([doc.failedChecks, wq.stats.nan, wq.stats.inf, wq.stats.count]).toEqual([1, 1, 0, 256]);
    expect(Number.isFinite(wq.stats.mean)).toBe(true);
    const t = await runCli(['explain', '--tensor', 'layer0.attn_wq', '--model', ckpt]);
    expect(t.code).toBe(1);
    expect(t.stdout).toMatch(/✗ layer0\.attn_wq: 1 NaN/);
  });

  it('an infinity in the MLP: "an infinite value" at blocks.0.hook_mlp_out; inspect counts it apart from NaN', async () => {
    const t = readSafetensorsHeader(ckpt).tensors.find((x) => x.name === 'layer0.mlp_fc2')!;
    const bytes = readFileSync(join(root, 'ckpt.safetensors'));
    bytes.writeFloatLE(-Infinity, t.offset + 4 * 2);
    const inf = join(root, 'ckpt-inf.safetensors');
    writeFileSync(inf, bytes);
    expectOneLineError(
      await runCli(['explain', '--attention', 'emma', '--model', inf]),
      /MG110: an infinite value appeared at layer 0, blocks\.0\.hook_mlp_out \(position 0\)/,
      1,
    );
    const r = await runCli(['inspect', inf], { COLUMNS: '200' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ layer0\.mlp_fc2: 1 infinite; the figures are those of its finite values/);
  });

  it('validate passes the structure; --scan names the tensor and exits 1', async () => {
    expect((await runCli(['validate', ckpt])).code).toBe(0);
    const r = await runCli(['validate', ckpt, '--scan']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ layer0\.attn_wq: 1 NaN$/m);
  });

  it('training refuses such weights (MG060) before a step', async () => {
    const { model, tokenizer } = checkpointFromBytes(ckpt, readFileSync(ckpt));
    const steps = trainSteps(model, tokenizer, ['emma'], { steps: 1, lr: 0.01, seed: 1 });
    expect(() => steps.next()).toThrow(/MG060|layer0\.attn_wq holds NaN at index 7; weights must be finite to train/);
    expect(() => trainSteps(model, tokenizer, ['emma'], { steps: 1, lr: 0.01, seed: 1 }).next()).toThrow(
      expect.objectContaining({ code: 'MG060' }),
    );
  });
});
