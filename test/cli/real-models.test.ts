// Real-model layouts, built in the test with random weights (no downloads), run
// through the CLI: attention for every layer, head detectors, generation, perplexity.
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, ROOT, runCli } from '../helpers/cli.js';
import { Rng } from '../../src/tensor/index.js';
import { Gpt, tinyInstance, Tokenizer } from '../../src/model/index.js';
import { ContractSet } from '../../src/contracts/index.js';
import { gpt2Layout, writeHfModel, writeRandomHf } from '../helpers/hf-models.js';
import { llamaLikeTensors, writeModelDir, type LlamaLike } from '../helpers/model-files.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-real-'));
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = (name: string, doc: unknown) => {
  const v = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.schema.json`), 'utf8')));
  expect(v(doc), JSON.stringify(v.errors)).toBe(true);
};

const small = (m: Partial<LlamaLike>): LlamaLike => ({
  hidden: 32,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 8,
  intermediate: 64,
  vocab: 40,
  tied: false,
  dtype: 'BF16',
  ...m,
});
const llamaConfig = (type: string, m: LlamaLike, extra: Record<string, unknown> = {}) => ({
  model_type: type,
  hidden_size: m.hidden,
  num_hidden_layers: m.layers,
  num_attention_heads: m.heads,
  num_key_value_heads: m.kvHeads,
  head_dim: m.headDim,
  intermediate_size: m.intermediate,
  vocab_size: m.vocab,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  tie_word_embeddings: m.tied,
  bos_token_id: 27,
  ...extra,
});

const gpt2 = join(dir, 'gpt2');
const LAYOUTS: Record<string, { path: string; layers: number; heads: number }> = {
  llama: { path: join(dir, 'llama'), layers: 2, heads: 4 },
  qwen2: { path: join(dir, 'qwen2'), layers: 2, heads: 4 },
  qwen3: { path: join(dir, 'qwen3'), layers: 2, heads: 4 },
};

beforeAll(() => {
  // GPT-2's real vocabulary and no tokenizer files: text goes through GPT-2's own BPE.
  writeRandomHf(
    gpt2,
    { model_type: 'gpt2', n_embd: 16, n_layer: 2, n_head: 4, n_positions: 64, vocab_size: 50257 },
    gpt2Layout({ hidden: 16, layers: 2, vocab: 50257, positions: 64 }),
  );
  const llama = small({});
  writeRandomHf(LAYOUTS.llama!.path, llamaConfig('llama', llama), llamaLikeTensors(llama), { tokenizer: true });
  const qwen2 = small({ qkvBias: true, tied: true });
  writeRandomHf(LAYOUTS.qwen2!.path, llamaConfig('qwen2', qwen2), llamaLikeTensors(qwen2), {
    tokenizer: true,
    seed: 2,
  });
  // Qwen3: QK-norm, head_dim 16 ≠ hidden / heads = 8.
  const qwen3 = small({ qkNorm: true, headDim: 16, tied: true });
  writeRandomHf(LAYOUTS.qwen3!.path, llamaConfig('qwen3', qwen3), llamaLikeTensors(qwen3), {
    tokenizer: true,
    seed: 3,
  });
});

describe('a GPT-2-layout checkpoint (no tokenizer files)', () => {
  it('explain --attention "the cat sat": GPT-2 BPE tokens, every layer and head, invariants held', async () => {
    const r = await runCli(['explain', '--attention', 'the cat sat', '--model', gpt2, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    validate('explain-attention', doc);
    expect(doc.tokens.map((t: { id: number }) => t.id)).toEqual([1169, 3797, 3332]);
    expect(doc.tokens.map((t: { label: string }) => t.label)).toEqual(['the', ' cat', ' sat']);
    expect(doc.layers).toHaveLength(2);
    expect(doc.layers.every((l: { heads: unknown[] }) => l.heads.length === 4)).toBe(true);
    expect(doc.allInvariantsHold).toBe(true);
    const text = await runCli(['explain', '--attention', 'the cat sat', '--model', gpt2]);
    expect(text.stdout).toContain('Attention(Q, K, V) = softmax(Q·Kᵀ/√d_k + M)·V');
    expect(text.stdout).toMatch(/L1 H3|layer 1/i);
  });

  it('--ids runs exactly the ids given; one out of the vocabulary is refused', async () => {
    const doc = JSON.parse(
      (await runCli(['explain', '--attention', '--ids', '50,1000,7', '--model', gpt2, '--json'])).stdout,
    );
    expect(doc.tokens.map((t: { id: number }) => t.id)).toEqual([50, 1000, 7]);
    expectOneLineError(
      await runCli(['explain', '--attention', '--ids', '50,60000', '--model', gpt2]),
      /MG086: token id 60000 is outside the vocabulary \(ids 0\.\.50256\)/,
    );
  });

  it('explain --detect and sample --prompt run; generation is greedy at temperature 0', async () => {
    const heads = JSON.parse((await runCli(['explain', '--detect', '--model', gpt2, '--json'])).stdout);
    validate('explain-detect', heads);
    expect(heads.scores).toHaveLength(8);
    const a = JSON.parse(
      (
        await runCli([
          'sample',
          '--model',
          gpt2,
          '--prompt',
          'the',
          '--max-tokens',
          '5',
          '--temperature',
          '0',
          '--json',
        ])
      ).stdout,
    );
    validate('sample', a);
    expect(a.prompt.map((p: { id: number }) => p.id)).toEqual([1169]);
    expect(a.samples).toHaveLength(1);
    expect(a.samples[0].steps).toHaveLength(5);
    const b = JSON.parse(
      (
        await runCli([
          'sample',
          '--model',
          gpt2,
          '--prompt',
          'the',
          '--max-tokens',
          '5',
          '--temperature',
          '0',
          '--seed',
          '9',
          '--json',
        ])
      ).stdout,
    );
    expect(b.samples).toEqual(a.samples);
    expect(a.samples[0].text.startsWith('the')).toBe(true);
  });
});

describe('Llama-, Qwen2- and Qwen3-layout checkpoints with a tokenizer.json', () => {
  for (const [family, l] of Object.entries(LAYOUTS)) {
    it(`${family}: attention of every layer, detectors, generation and perplexity`, async () => {
      const att = JSON.parse(
        (await runCli(['explain', '--attention', 'the cat sat', '--model', l.path, '--json'])).stdout,
      );
      // The tokenizer's post-processor prepends <s> (27); one token per character.
      expect(att.tokens[0]).toEqual({ pos: 0, id: 27, label: '<s>' });
      expect(att.tokens).toHaveLength(12);
      expect(att.layers).toHaveLength(l.layers);
      expect(att.architecture).toMatchObject({ family, heads: 4, kvHeads: 2, attentionType: 'gqa' });
      expect(att.equation).toContain('RoPE(Q)');
      expect(att.allInvariantsHold).toBe(true);
      const heads = JSON.parse((await runCli(['explain', '--detect', '--model', l.path, '--json'])).stdout);
      expect(heads.input.first[0]).toBe(27);
      const gen = await runCli(['sample', '--model', l.path, '--prompt', 'the', '--max-tokens', '4']);
      expect(gen.code, gen.stderr).toBe(0);
      expect(gen.stdout).toMatch(/Generated \(4 tokens/);
      const trace = JSON.parse((await runCli(['trace', 'the cat', '--model', l.path, '--lens', '--json'])).stdout);
      // The lens after the last layer is the model's own prediction (float32, so to 1e-6), the last position included.
      expect(trace.lens).toHaveLength(1 + l.layers);
      type Prediction = { pTarget: number | null; targetRank: number | null; target: string | null; top: unknown[] };
      trace.predictions.forEach((p: Prediction, pos: number) => {
        const last = trace.lens[l.layers].positions[pos];
        if (p.pTarget === null) expect(last.pTarget).toBeNull();
        else expect(last.pTarget).toBeCloseTo(p.pTarget, 6);
        expect(last.targetRank).toBe(p.targetRank);
        expect(last.top).toEqual(p.top);
      });
      validate('trace', trace);
      // Stages: every hook point — the embedding, 20 per (gated, rotary) layer, the final norm's two, the logits.
      expect(trace.stages).toHaveLength(1 + 20 * l.layers + 2 + 1);
      expect(trace.stages.map((st: { name: string }) => st.name)).toContain(`blocks.${l.layers - 1}.attn.hook_pattern`);
      // Every position is predicted; the last of a text has no target, and the loss is over the others.
      expect(trace.predictions).toHaveLength(trace.tokens.length);
      const scored = trace.predictions.slice(0, -1) as Prediction[];
      expect(trace.predictions.at(-1)).toMatchObject({ target: null, pTarget: null, targetRank: null });
      expect(trace.predictions.at(-1).top).toHaveLength(3);
      expect(trace.loss).toBeCloseTo(scored.reduce((a, p) => a - Math.log(p.pTarget!), 0) / scored.length, 12);
      const data = join(dir, `${family}.txt`);
      writeFileSync(data, 'the cat sat\non the mat\n');
      const ev = JSON.parse((await runCli(['eval', '--model', l.path, '--data', data, '--json'])).stdout);
      validate('eval', ev);
      expect(ev.tokens).toBe(11 + 10);
      expect(ev.perplexity).toBeCloseTo(Math.exp(ev.meanLoss), 10);
    });
  }
});

describe('ablate', () => {
  it('on a model folder (--text), microGPT (corpus names) and a tiny family; validated JSON; bad heads refused', async () => {
    const real = JSON.parse(
      (
        await runCli([
          'ablate',
          '--model',
          LAYOUTS.qwen2!.path,
          '--text',
          'the cat sat',
          '--heads',
          '0.1,1.mlp',
          '--json',
        ])
      ).stdout,
    );
    validate('ablate', real);
    expect(real.rows).toHaveLength(2 * (4 + 1));
    expect(real.together.components).toEqual([
      { layer: 0, head: 1 },
      { layer: 1, head: null },
    ]);
    const micro = JSON.parse((await runCli(['ablate', '-n', '20', '--json'])).stdout);
    validate('ablate', micro);
    expect(micro.documents).toBe(20);
    const sorted = [...micro.rows].sort(
      (a: { zeroDelta: number }, b: { zeroDelta: number }) => b.zeroDelta - a.zeroDelta,
    );
    expect(micro.rows).toEqual(sorted);
    expect((await runCli(['ablate', '--family', 'llama', '--text', 'emma'])).stdout).toMatch(
      /Clean loss: \d\.\d{4} nats per predicted token .*the same definition as eval's/s,
    );
    expectOneLineError(await runCli(['ablate', '--heads', '0.7']), /MG005: head 7 does not exist/);
    expectOneLineError(await runCli(['ablate', '--model', LAYOUTS.qwen2!.path]), /give --text TEXT or --data FILE/);
  });

  it("ablate's clean loss is eval's number for the same model and data, unit and all", async () => {
    const data = join(dir, 'ablate-data.txt');
    writeFileSync(data, 'the cat sat\non the mat\n');
    for (const model of [LAYOUTS.qwen2!.path, LAYOUTS.llama!.path]) {
      const ablate = JSON.parse((await runCli(['ablate', '--model', model, '--data', data, '--json'])).stdout);
      const ev = JSON.parse((await runCli(['eval', '--model', model, '--data', data, '--json'])).stdout);
      expect(ablate.clean).toBe(ev.meanLoss);
      expect(ablate.unit).toBe(ev.unit);
    }
  });

  it('patch on a model folder and on microGPT; validated JSON; mismatched lengths and bad targets refused', async () => {
    const real = JSON.parse(
      (
        await runCli([
          'patch',
          '--model',
          LAYOUTS.llama!.path,
          '--clean',
          'the cat',
          '--corrupt',
          'the dog',
          '--target',
          's',
          '--json',
        ])
      ).stdout,
    );
    validate('patch', real);
    expect(real.heads).toHaveLength(2 * 4);
    expect(real.residual.at(-1).restored.at(-1)).toBeCloseTo(1, 5);
    const micro = JSON.parse(
      (await runCli(['patch', '--clean', 'emma', '--corrupt', 'anna', '--target', 'a', '--json'])).stdout,
    );
    validate('patch', micro);
    expectOneLineError(
      await runCli(['patch', '--clean', 'emma', '--corrupt', 'ann', '--target', 'a']),
      /MG088: .*5 and 4 tokens/,
    );
    expectOneLineError(
      await runCli(['patch', '--clean', 'emma', '--corrupt', 'anna', '--target', 'ab']),
      /MG086: --target "ab" is 2 tokens/,
    );
    expectOneLineError(
      await runCli(['patch', '--clean', 'emma', '--corrupt', 'anna', '--target', 'A']),
      /outside the vocabulary/,
    );
  });
});

describe('GPT-NeoX, Phi-2, Phi-3 and Gemma layouts (parallel blocks and partial rotary; fused projections; (1 + w) norms and a scaled embedding)', () => {
  const NEW = ['gptneox', 'phi3', 'gemma', 'phi'] as const;
  const path = (family: string) => join(dir, `new-${family}`);
  beforeAll(async () => {
    const set = await ContractSet.load();
    for (const family of NEW) {
      // Two layers, every parameter random; a character tokenizer.json with BOS "<s>" = 26.
      const { config, architecture } = tinyInstance(set.get(family), Tokenizer.default().vocabSize);
      const m = Gpt.init({ ...config, nLayer: 2 }, 4, architecture);
      const rng = new Rng(40);
      for (const t of m.params.values()) for (let i = 0; i < t.size; i++) t.data[i] = rng.gauss(0, 0.3);
      writeHfModel(path(family), m, family);
    }
  });

  for (const family of NEW) {
    it(`${family}: explain --attention, --detect, sample --prompt, trace --lens, ablate --text and patch run`, async () => {
      const l = path(family);
      const att = JSON.parse((await runCli(['explain', '--attention', 'emma', '--model', l, '--json'])).stdout);
      validate('explain-attention', att);
      expect(att.tokens.map((t: { label: string }) => t.label)).toEqual(['<s>', 'e', 'm', 'm', 'a']);
      expect(att.layers).toHaveLength(2);
      expect(att.architecture).toMatchObject({ family, heads: 4 });
      expect(att.equation).toContain('RoPE(Q)');
      expect(att.allInvariantsHold).toBe(true);
      const heads = JSON.parse((await runCli(['explain', '--detect', '--model', l, '--json'])).stdout);
      validate('explain-detect', heads);
      expect(heads.scores).toHaveLength(2 * 4);
      const gen = await runCli(['sample', '--model', l, '--prompt', 'em', '--max-tokens', '4', '--temperature', '0']);
      expect(gen.code, gen.stderr).toBe(0);
      expect(gen.stdout).toMatch(/Generated \(\d tokens?/);
      const trace = JSON.parse((await runCli(['trace', 'emma', '--model', l, '--lens', '--json'])).stdout);
      validate('trace', trace);
      trace.predictions.forEach((p: { pTarget: number }, pos: number) =>
        expect(trace.lens[2].positions[pos].pTarget).toBeCloseTo(p.pTarget, 6),
      );
      // Every hook point: GPT-NeoX's parallel block has no hook_resid_mid and no gate (18 a layer), Phi-2's
      // no ln2 either (16); Phi-3 and Gemma are sequential and gated (20).
      const perLayer = { gptneox: 18, phi: 16, phi3: 20, gemma: 20 }[family];
      expect(trace.stages).toHaveLength(1 + perLayer * 2 + 2 + 1);
      const parallel = family === 'gptneox' || family === 'phi';
      expect(trace.stages.some((st: { name: string }) => st.name === 'blocks.0.hook_resid_mid')).toBe(!parallel);
      const ablate = JSON.parse(
        (await runCli(['ablate', '--model', l, '--text', 'emma', '--heads', '0.1,1.mlp', '--json'])).stdout,
      );
      validate('ablate', ablate);
      expect(ablate.rows).toHaveLength(2 * (4 + 1));
      const patch = JSON.parse(
        (await runCli(['patch', '--model', l, '--clean', 'emma', '--corrupt', 'anna', '--target', 'a', '--json']))
          .stdout,
      );
      validate('patch', patch);
      expect(patch.heads).toHaveLength(2 * 4);
      expect(patch.residual.at(-1).restored.at(-1)).toBeCloseTo(1, 5);
    });
  }

  it('explain --kernel gptneox -v shows the parallel block and partial rotary in the pipeline; gemma its (1 + γ) norm and √d_model', async () => {
    const neox = JSON.parse((await runCli(['explain', '--kernel', 'gptneox', '-v', '--json'])).stdout);
    const steps = neox.pipeline.map((p: { slot: string | null; value: string }) => `${p.slot}=${p.value}`);
    expect(steps).toContain('block_type=parallel');
    expect(steps).toContain('positional_encoding=partial_rope');
    expect(neox.pipeline.every((p: { executable: boolean }) => p.executable)).toBe(true);
    const text = (await runCli(['explain', '--kernel', 'gptneox', '-v'])).stdout;
    expect(text).toMatch(/parallel attention and MLP/);
    expect(text).toMatch(/partial rotary position embedding/);
    const gemma = JSON.parse((await runCli(['explain', '--kernel', 'gemma', '--json'])).stdout);
    const g = gemma.pipeline.map((p: { slot: string | null; value: string }) => `${p.slot}=${p.value}`);
    expect(g).toContain('embedding_scale=sqrt_hidden');
    expect(g).toContain('norm_type=offset_rmsnorm');
  });
});

describe('a long input: the compact view', () => {
  it('over 16 tokens each query shows its 3 strongest keys, and every head is drawn as a thumbnail', async () => {
    const args = ['explain', '--attention', 'the quick brown fox jumps over', '--model', LAYOUTS.llama!.path];
    const doc = JSON.parse((await runCli([...args, '--json'])).stdout);
    expect(doc.compact).toBe(true);
    const row = doc.layers[1].heads[2].rows[20];
    const strongest = [...row.weights.keys()].sort((a, b) => row.weights[b] - row.weights[a] || a - b).slice(0, 3);
    expect(row.top.map((k: { pos: number }) => k.pos)).toEqual(strongest);
    const text = (await runCli(args, { COLUMNS: '80' })).stdout;
    expect(text).toContain('Every head at a glance');
    expect(text).toMatch(/L1 H3/);
    expect(text).not.toMatch(/pos 20 → \[/);
  });
});

describe('bad input: one line, exit 2', () => {
  it('config.json and tensors that disagree name the field and the tensor', async () => {
    const m = small({});
    const bad = join(dir, 'bad-kv');
    writeRandomHf(bad, llamaConfig('llama', m, { num_key_value_heads: 4 }), llamaLikeTensors(m), { tokenizer: true });
    expectOneLineError(
      await runCli(['explain', '--attention', 'cat', '--model', bad]),
      /MG083: .*"model\.layers\.0\.self_attn\.k_proj\.weight" is \[16, 32\], but config\.json gives \[32, 32\] \(num_key_value_heads·head_dim, hidden_size\)/,
    );
  });

  it('a missing shard, unsupported rope scaling, an unsupported family, no tokenizer, a prompt too long, too big', async () => {
    const m = small({});
    const sharded = join(dir, 'sharded');
    writeModelDir(sharded, llamaConfig('llama', m), llamaLikeTensors(m), 2);
    renameSync(join(sharded, 'model-00002-of-00002.safetensors'), join(dir, 'moved.safetensors'));
    expectOneLineError(await runCli(['explain', '--detect', '--model', sharded]), /model-00002-of-00002\.safetensors/);

    const yarn = join(dir, 'yarn');
    writeRandomHf(
      yarn,
      llamaConfig('llama', m, { rope_scaling: { rope_type: 'yarn', factor: 4 } }),
      llamaLikeTensors(m),
    );
    expectOneLineError(await runCli(['explain', '--detect', '--model', yarn]), /MG081: .*"yarn" is not supported/);

    const moe = join(dir, 'moe');
    writeRandomHf(moe, llamaConfig('mixtral', m), llamaLikeTensors(m));
    expectOneLineError(await runCli(['sample', '--model', moe, '--ids', '1']), /MG082: .*mixture-of-experts routing/);

    const notok = join(dir, 'notok');
    writeRandomHf(notok, llamaConfig('llama', m), llamaLikeTensors(m));
    expectOneLineError(
      await runCli(['explain', '--attention', 'cat', '--model', notok]),
      /MG085: .*give token ids with --ids/,
    );

    expectOneLineError(
      await runCli(['explain', '--attention', 'a'.repeat(70), '--model', LAYOUTS.llama!.path]),
      /MG086: the input is 71 tokens; this model takes at most 64/,
    );

    // A sparse ~390B-parameter layout: refused from the header, before any data is read.
    const huge: LlamaLike = {
      hidden: 8192,
      layers: 400,
      heads: 64,
      kvHeads: 8,
      headDim: 128,
      intermediate: 28672,
      vocab: 128256,
      tied: false,
      dtype: 'BF16',
    };
    const big = join(dir, 'huge');
    writeModelDir(big, llamaConfig('llama', huge), llamaLikeTensors(huge));
    expectOneLineError(
      await runCli(['explain', '--detect', '--model', big]),
      /MG084: .*parameters need [\d.]+ GiB as bfloat16 \(the stored precision\); this machine has/,
    );
  });
});
