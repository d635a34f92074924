import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

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

describe('explain --kernel snapshots', () => {
  it('gpt2 -v', async () => {
    const r = await runCli(['explain', '--kernel', 'gpt2', '-v']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
  });
  it('llama -v', async () => {
    const r = await runCli(['explain', '--kernel', 'llama', '-v']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
  });
});

describe('every family explains', async () => {
  const families = JSON.parse((await runCli(['contracts', 'list', '--json'])).stdout).families.map(
    (f: { family: string }) => f.family,
  );
  it('contracts list shows all 19 families', async () => expect(families).toHaveLength(19));
  for (const family of families) {
    it(`explain --kernel ${family} -v`, async () => {
      const r = await runCli(['explain', '--kernel', family, '-v']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Constraints \(from family contract\):/);
      expect(r.stdout).toMatch(/✓ within 2%/);
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

  it('--vs puts two families side by side', async () => {
    const r = await runCli(['explain', '--kernel', 'gpt2', '--vs', 'llama']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/GPT-2 vs LLaMA/);
    expect(r.stdout).toMatch(/7 constraints differ|\d of 7 constraints differ/);
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
