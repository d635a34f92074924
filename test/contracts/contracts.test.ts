import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContractSet, parseContract, resolveKernelTarget, templateParameterCount } from '../../src/contracts/index.js';
import { contractJsonSchema, generatedChecker } from '../../src/contracts/schema.js';
import { buildKernelReport } from '../../src/explain/kernel.js';
import { buildTensorReport } from '../../src/explain/tensor.js';
import { ROLES } from '../../src/explain/roles.js';
import { MicrogptError } from '../../src/errors.js';
import { ROOT } from '../helpers/cli.js';

const FAMILIES = [
  'microgpt',
  'gpt2',
  'llama',
  'qwen2',
  'qwen3',
  'mistral',
  'mixtral',
  'gemma',
  'phi',
  'phi3',
  'bert',
  'falcon',
  'bloom',
  'gpt_bigcode',
  'gptneox',
  'opt',
  'deepseek',
  'mamba',
  'rwkv',
];
const set = await ContractSet.load();
const all = set.families.map((f) => f.contract);
const fixture = (name: string) => join(ROOT, 'test', 'fixtures', 'hf', name);

describe('the schema is one source of truth', () => {
  it('contracts/schema.json is what the code generates (run `npm run schema` after changing the schema)', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'contracts', 'schema.json'), 'utf8'))).toEqual(contractJsonSchema());
  });

  it('src/contracts/check.generated.ts is what the code generates', () => {
    expect(readFileSync(join(ROOT, 'src', 'contracts', 'check.generated.ts'), 'utf8')).toBe(generatedChecker());
  });
});

describe('shipped contracts', () => {
  it('cover every family the project promises', () => {
    expect(set.families.map((f) => f.contract.family).sort()).toEqual([...FAMILIES].sort());
  });

  for (const { file, contract: c } of set.families) {
    it(`${c.family}: validates, carries $schema and a source, and every tensor role is explained`, () => {
      const raw = JSON.parse(readFileSync(file, 'utf8'));
      expect(raw.$schema).toBe('./schema.json');
      expect(c.source.length).toBeGreaterThan(20);
      for (const t of c.tensors) expect(ROLES[t.role], `${c.family} role ${t.role}`).toBeDefined();
    });

    for (const [size, s] of Object.entries(c.sizes)) {
      it(`${c.family} ${size}: parameters computed from the tensor shapes equal the declared ${s.parameters}`, () => {
        expect(templateParameterCount(c, s)).toBe(s.parameters);
      });
    }
  }
});

describe('consistency checks beyond types', () => {
  const base = readFileSync(join(ROOT, 'contracts', 'llama.json'), 'utf8');
  const mutate = (f: (c: any) => void) => {
    const c = JSON.parse(base);
    f(c);
    return parseContract('x.json', JSON.stringify(c));
  };
  const rejects = async (f: (c: any) => void, message: RegExp) => {
    const err = await mutate(f).catch((e) => e);
    expect(err).toBeInstanceOf(MicrogptError);
    expect(err.message).toMatch(message);
  };

  it('heads × head_dim must equal hidden unless head_dim is given', () =>
    rejects(
      (c) => (c.sizes['1.1b'].heads = 30),
      /x\.json: \/sizes\/1\.1b\/heads: heads \(30\) × head_dim must equal hidden/,
    ));
  it('heads must be divisible by kv_heads', () =>
    rejects(
      (c) => (c.sizes['1.1b'].kv_heads = 5),
      /\/sizes\/1\.1b\/kv_heads: heads \(32\) must be divisible by kv_heads \(5\)/,
    ));
  it('gqa needs kv_heads < heads', () => rejects((c) => (c.sizes['1.1b'].kv_heads = 32), /gqa needs kv_heads < heads/));
  it('mqa needs kv_heads = 1', () => rejects((c) => (c.constraints.attention_type = 'mqa'), /mqa needs kv_heads = 1/));
  it('unknown constraint values name the allowed ones', () =>
    rejects(
      (c) => (c.constraints.activation = 'tanh'),
      /x\.json: \/constraints\/activation: "tanh" is not allowed; one of: relu, gelu, silu/,
    ));
  it('schema violations carry the JSON path', () =>
    rejects((c) => (c.sizes['8b'].layers = -3), /x\.json: \/sizes\/8b\/layers: /));
  it('absurd sizes are refused', () => rejects((c) => (c.sizes['8b'].parameters = 1e15), /implausibly large/));
  it('shape expressions must use known names', () =>
    rejects((c) => (c.tensors[0].shape = ['vocab', 'hiden']), /\/tensors\/0\/shape\/1: .*unknown name "hiden"/));
  it('syntax errors give line and column', async () => {
    const err = await parseContract('y.json', '{\n  "family": "x",\n  oops\n}').catch((e) => e);
    expect(err.message).toMatch(/^y\.json: line 3, column 3: not valid JSON/);
  });
  it('the valid original passes', async () => expect((await mutate(() => {})).family).toBe('llama'));
});

describe('resolving --kernel', () => {
  const cases: Array<[string, string, string]> = [
    ['llama', 'llama', 'family'],
    ['tinyllama', 'llama', 'alias'],
    ['phi4', 'llama', 'alias'],
    ['mixtral', 'mixtral', 'family'],
    ['Qwen2ForCausalLM', 'qwen2', 'architecture'],
    ['GPT2LMHeadModel', 'gpt2', 'architecture'],
    ['starcoder', 'gpt_bigcode', 'alias'],
    ['pythia', 'gptneox', 'alias'],
    ['gpt_neox', 'gptneox', 'alias'],
  ];
  for (const [input, family, via] of cases) {
    it(`${input} → ${family} (by ${via})`, async () => {
      const r = await resolveKernelTarget(input, set);
      expect([r.contract.family, r.via]).toEqual([family, via]);
    });
  }

  it('a contract file', async () => {
    const r = await resolveKernelTarget(join(ROOT, 'contracts', 'opt.json'), set);
    expect([r.contract.family, r.via]).toEqual(['opt', 'contract file']);
  });

  it('Qwen2-0.5B config.json: each choice explained, parameters computed from the config', async () => {
    const r = await resolveKernelTarget(fixture('qwen2-0.5b.json'), set);
    expect(r.contract.family).toBe('qwen2');
    const because = r.config!.derivations.map((d) => d.because);
    expect(because).toContain('num_key_value_heads=2 → GQA (2 KV heads < 14 query heads)');
    expect(because).toContain('rms_norm_eps=1e-6 → RMSNorm');
    expect(because).toContain('rope_theta=1000000 → RoPE');
    const report = buildKernelReport(r, set.get('microgpt'), all, { verbose: true });
    expect(report.config!.warnings).toEqual([]);
    expect(report.verbose!.computedParameters).toBe(494032768);
  });

  it('Llama-2-7B config.json: MHA is a variant the llama contract lists, so no warning; the note says so', async () => {
    const r = await resolveKernelTarget(fixture('llama-2-7b.json'), set);
    const report = buildKernelReport(r, set.get('microgpt'), all, { verbose: true });
    expect(report.config!.warnings).toEqual([]);
    expect(report.config!.variants.join('\n')).toMatch(
      /attention_type=mha .* a variant the llama contract lists \(usually gqa\)/,
    );
    expect(report.constraints.find((c) => c.key === 'attention_type')!.value).toBe('mha');
    expect(report.verbose!.computedParameters).toBe(6738415616);
  });

  it('Llama-3-8B config.json reproduces the 8b size exactly', async () => {
    const report = buildKernelReport(
      await resolveKernelTarget(fixture('llama-3-8b.json'), set),
      set.get('microgpt'),
      all,
      { verbose: true },
    );
    expect(report.verbose!.computedParameters).toBe(8030261248);
    expect(report.config!.warnings).toEqual([]);
  });

  it('GPT-2 config.json: gelu_new → gelu, layer_norm_epsilon → LayerNorm, no KV heads → MHA', async () => {
    const r = await resolveKernelTarget(fixture('gpt2.json'), set);
    expect(Object.fromEntries(r.config!.derivations.map((d) => [d.key, d.value]))).toEqual({
      attention_type: 'mha',
      activation: 'gelu',
      norm_type: 'layernorm',
    });
  });

  it('an unknown architecture names the known families', async () => {
    await expect(resolveKernelTarget(fixture('unknown-arch.json'), set)).rejects.toThrow(
      /no family contract matches model_type "fancy_new"/,
    );
  });
});

describe('comparison with microGPT comes from the kernel registry', () => {
  const verdicts = (family: string) =>
    Object.fromEntries(
      buildKernelReport(
        { contract: set.get(family), via: 'family', input: family, config: null },
        set.get('microgpt'),
        all,
        { verbose: false },
      ).constraints.map((c) => [c.key, c.verdict]),
    );
  it("GPT-2 positions are the same kind as microGPT's (learned absolute)", () =>
    expect(verdicts('gpt2').positional_encoding).toBe('same'));
  it("BERT's absolute position embeddings are judged the same kind", () =>
    expect(verdicts('bert').positional_encoding).toBe('same-kind'));
  it("LLaMA: gqa, silu, swiglu and rope are more complex than microGPT's choices", () => {
    expect(verdicts('llama')).toMatchObject({
      attention_type: 'simpler',
      activation: 'simpler',
      mlp_type: 'simpler',
      positional_encoding: 'simpler',
      norm_type: 'same',
      has_bias: 'same',
    });
  });
});

describe('tensor names resolve to roles through the templates', () => {
  for (const c of all) {
    it(`${c.family}: every template, at its last layer and expert 2, resolves to its own role`, () => {
      const last = String(Math.max(...Object.values(c.sizes).map((s) => s.layers)) - 1);
      for (const t of c.tensors) {
        for (const tpl of [t.name, ...(t.gguf ? [t.gguf] : []), ...(t.gguf_stacked ? [t.gguf_stacked] : [])]) {
          const name = tpl.replaceAll('{n}', last).replaceAll('{e}', '2');
          const withFamily = buildTensorReport(all, name, { family: c, maskLen: 4 });
          expect(withFamily.role, name).toBe(t.role);
          // GGUF names are shared across families (phi3's fused ffn_up, Mamba's attn_norm): only the Hugging Face names are unique.
          if (tpl === t.name)
            expect(buildTensorReport(all, name, { maskLen: 4 }).role, `${name} without --family`).toBe(t.role);
        }
      }
    });
  }

  const cases: Array<[string, string, string | null, number | null]> = [
    ['blk.0.attn_output.weight', 'attn_output', 'llama', 0],
    ['output.weight', 'lm_head', 'llama', null],
    ['model.layers.3.self_attn.q_proj.weight', 'attn_q', 'llama', 3],
    ['transformer.h.0.attn.c_attn.weight', 'attn_qkv', 'gpt2', 0],
    ['model.embed_positions.weight', 'position_embedding', null, null],
    ['model.decoder.embed_positions.weight', 'position_embedding', 'opt', null],
    ['layer0.mlp_fc1', 'mlp_up', 'microgpt', 0],
  ];
  for (const [name, role, family, layer] of cases) {
    it(`${name} is ${role}${family ? ` (${family})` : ''}`, () => {
      const r = buildTensorReport(all, name, { maskLen: 4 });
      expect([r.role, r.family, r.layer]).toEqual([role, family, layer]);
    });
  }

  it('an unknown name suggests the nearest', () => {
    expect(() => buildTensorReport(all, 'blk.0.attn_outptu.weight', { maskLen: 4 })).toThrow(
      /did you mean "blk\.0\.attn_output\.weight"/,
    );
  });
});
