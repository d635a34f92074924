import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { builtinNames } from '../../src/model/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-contracts-'));
const opt = JSON.parse(readFileSync(join(ROOT, 'contracts', 'opt.json'), 'utf8'));
writeFileSync(
  join(dir, 'myfam.json'),
  JSON.stringify({
    ...opt,
    family: 'myfam',
    display_name: 'My Family',
    aliases: ['mine'],
    architectures: ['MyFamForCausalLM'],
  }),
);
const badDir = mkdtempSync(join(tmpdir(), 'microgpt-bad-'));
const bad = join(badDir, 'bad.json');
writeFileSync(
  bad,
  JSON.stringify({ ...opt, family: 'bad', constraints: { ...opt.constraints, norm_type: 'batchnorm' } }),
);

describe('explain --kernel -v: the facts each screen is there for', () => {
  const kernelJson = async (family: string) =>
    JSON.parse((await runCli(['explain', '--kernel', family, '-v', '--json'])).stdout);
  const ops = (doc: { pipeline: Array<{ operation: string }> }) => doc.pipeline.map((p) => p.operation);

  it('gpt2 -v: the pipeline in forward order, Conv1D shapes, and the published 124,439,808', async () => {
    const doc = await kernelJson('gpt2');
    expect(ops(doc)).toEqual([
      'token + position embedding',
      'pre-attention norm',
      'q, k, v projections',
      'self-attention',
      'output projection + residual',
      'pre-MLP norm',
      'MLP (+ residual)',
      'MLP activation',
      'final norm',
      'output head',
    ]);
    // No raw booleans as kernel names.
    expect(doc.pipeline.map((p: { kernel: string }) => p.kernel)).not.toContain('true');
    expect(doc.pipeline.find((p: { operation: string }) => p.operation === 'output head').kernel).toBe(
      'tied output head',
    );
    const qkv = doc.verbose.tensors.find((t: { template: string }) => t.template.endsWith('attn.c_attn.weight'));
    expect(qkv).toMatchObject({ shape: [768, 2304], copies: 12 });
    expect(doc.verbose.computedParameters).toBe(124_439_808);
    expect(doc.verbose.parameterGap).toBe(0);
    const text = (await runCli(['explain', '--kernel', 'gpt2', '-v'])).stdout;
    expect(text).toContain('Parameters computed from these shapes: 124,439,808; declared: 124,439,808 ✓ exactly');
    expect(text).toMatch(/tied_embeddings: +true +← microGPT uses false/);
  });

  it('llama -v: RoPE inside attention, no embedding norm, a final norm, GQA, 1,100,048,384', async () => {
    const doc = await kernelJson('llama');
    const o = ops(doc);
    expect(o[0]).toBe('token embedding');
    expect(o).not.toContain('embedding norm');
    expect(o.indexOf('q, k, v projections')).toBeLessThan(o.indexOf('rotary positions on q, k'));
    expect(o.indexOf('rotary positions on q, k')).toBeLessThan(o.indexOf('self-attention'));
    expect(o.at(-2)).toBe('final norm');
    expect(doc.pipeline.find((p: { operation: string }) => p.operation === 'self-attention').value).toBe('gqa');
    expect(doc.verbose.computedParameters).toBe(1_100_048_384);
    expect(ops(await kernelJson('microgpt')).slice(0, 3)).toEqual([
      'token + position embedding',
      'embedding norm',
      'pre-attention norm',
    ]);
  });
});

describe('every family explains', async () => {
  const families = JSON.parse((await runCli(['contracts', 'list', '--json'])).stdout).families.map(
    (f: { family: string }) => f.family,
  );
  it('contracts list shows all 19 families', async () => expect(families).toHaveLength(19));
  it('the help counts the families and the corpus from the data, never from a literal', async () => {
    const help = (await runCli(['--help'], { COLUMNS: '200' })).stdout;
    expect(help).toContain(`the ${families.length} families this tool knows`);
    const names = builtinNames().length.toLocaleString('en-US');
    expect(help).toContain(`train microGPT on ${names} English first names`);
    expect((await runCli(['eval', '--help'], { COLUMNS: '200' })).stdout).toContain(`built-in ${names} English`);
    expect(help).not.toMatch(/\{(names|families)\}/);
  });
  for (const family of families) {
    it(`explain --kernel ${family} -v`, async () => {
      const r = await runCli(['explain', '--kernel', family, '-v']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Constraints \(from family contract\):/);
      // Every shipped size's declared count is what its tensor shapes give, exactly.
      expect(r.stdout).toMatch(/declared: [0-9,]+ ✓ exactly/);
    });
  }
});

describe('contracts from users and from Hugging Face', () => {
  it('--contracts DIR adds a family with no code change', async () => {
    const r = await runCli(['explain', '--kernel', 'mine', '--contracts', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/My Family \(myfam\)/);
    expect(r.stdout).toMatch(/Resolved: {5}mine → myfam \(by alias\)/);
  });

  it('MICROGPT_CONTRACTS does the same', async () => {
    const r = await runCli(['explain', '--kernel', 'MyFamForCausalLM'], { MICROGPT_CONTRACTS: dir });
    expect(r.code).toBe(0);
    expect((await runCli(['contracts', 'list'], { MICROGPT_CONTRACTS: dir })).stdout).toMatch(/myfam/);
  });

  it('--kernel path/to/file.json explains a single contract file', async () => {
    const r = await runCli(['explain', '--kernel', join(dir, 'myfam.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/by contract file/);
  });

  it('a real Hugging Face config.json is explained, each choice with its reason', async () => {
    const r = await runCli(['explain', '--kernel', join(ROOT, 'test', 'fixtures', 'hf', 'qwen2-0.5b.json'), '-v']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('num_key_value_heads=2 → GQA (2 KV heads < 14 query heads)');
    expect(r.stdout).toContain('Parameters computed from these shapes: 494,032,768');
  });

  it('--vs puts two families side by side: constraints, sizes, parameters, pipeline; -v adds tensor names', async () => {
    const r = await runCli(['explain', '--kernel', 'gpt2', '--vs', 'llama']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/GPT-2 vs LLaMA/);
    // GPT-2 and LLaMA share no kernel: every one of the seven constraints differs.
    expect(r.stdout).toContain('Constraints: 7 of 7 differ');
    const vs = JSON.parse((await runCli(['explain', '--kernel', 'gpt2', '--vs', 'llama', '--json'])).stdout);
    const size = (key: string) => vs.sizes.rows.find((row: { key: string }) => row.key === key);
    // Published figures: GPT-2 124M and TinyLlama-1.1B (LLaMA's smallest shipped size).
    expect(size('parameters')).toEqual({ key: 'parameters', a: 124_439_808, b: 1_100_048_384, same: false });
    expect(size('head_dim')).toEqual({ key: 'head_dim', a: 64, b: 64, same: true });
    expect(size('kv_heads')).toMatchObject({ a: 12, b: 4 });
    const step = (key: string) => vs.pipeline.find((row: { key: string }) => row.key === key);
    expect(step('rotary positions on q, k')).toMatchObject({ a: null, same: false });
    expect(step('token + position embedding')).toMatchObject({ b: null });
    expect(vs.tensors).toBeNull();
    const keys = vs.pipeline.map((row: { key: string }) => row.key);
    expect(keys.indexOf('rotary positions on q, k')).toBeLessThan(keys.indexOf('self-attention'));
    const v = JSON.parse((await runCli(['explain', '--kernel', 'gpt2', '--vs', 'llama', '-v', '--json'])).stdout);
    expect(v.tensors.find((row: { key: string }) => row.key === 'token_embedding')).toMatchObject({
      a: 'transformer.wte.weight',
      b: 'model.embed_tokens.weight',
    });
    const same = JSON.parse((await runCli(['explain', '--kernel', 'llama', '--vs', 'mistral', '--json'])).stdout);
    expect(same.rows.every((row: { same: boolean }) => row.same)).toBe(true);
  });

  it('contracts validate: exit 1 and file: /json/path: message for a bad contract', async () => {
    const r = await runCli(['contracts', 'validate', bad, join(dir, 'myfam.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${bad}: /constraints/norm_type: "batchnorm" is not allowed; one of: rmsnorm, layernorm`,
    );
    expect(r.stdout).toMatch(/✓ .*myfam\.json/);
    expect((await runCli(['contracts', 'validate'])).code).toBe(0);
  });

  it('a bad contract in --contracts DIR is a one-line error, exit 2', async () => {
    const r = await runCli(['explain', '--kernel', 'gpt2', '--contracts', badDir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${bad}: /constraints/norm_type:`);
  });
});

describe('explain --tensor across families', () => {
  it('a llama name resolves with its layer', async () => {
    const r = await runCli(['explain', '--tensor', 'model.layers.3.self_attn.q_proj.weight']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Role: {8}query projection \(attn_q\), layer 3/);
  });
  it('a GGUF name: attention output, not the LM head', async () => {
    const r = await runCli(['explain', '--tensor', 'blk.0.attn_output.weight']);
    expect(r.stdout).toMatch(/attention output projection \(attn_output\)/);
  });
  it('an unknown name: the nearest known names, exit 2', async () => {
    const r = await runCli(['explain', '--tensor', 'layer0.attn_wz']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did you mean "layer0\.attn_w[qkvo]"/);
  });
});

describe('explain --kernel with --model', () => {
  it("explains the checkpoint's family when no family is given", async () => {
    const { mkdtempSync } = await import('node:fs');
    const out = join(mkdtempSync(join(tmpdir(), 'microgpt-k-')), 'g.safetensors');
    expect((await runCli(['train', '--family', 'gpt2', '--steps', '5', '--out', out])).code).toBe(0);
    const r = await runCli(['explain', '--kernel', '--model', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^GPT-2 \(gpt2\)/);
  });
  it('--kernel alone asks for a family', async () => {
    const r = await runCli(['explain', '--kernel']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--kernel needs a family/);
  });
});
