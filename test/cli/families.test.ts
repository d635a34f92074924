import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-families-'));

describe('--family: every attention family runs as a tiny model', () => {
  const families = [
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
  ];
  it.each(families.map((f) => [f]))(
    'explain --attention mar --family %s: the invariants hold on the actual weights',
    async (family) => {
      const r = await runCli(['explain', '--attention', 'mar', '--family', family]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`What ${family}'s tiny model does differently from microGPT:`));
      expect(r.stdout.match(/✓/g)!.length).toBeGreaterThanOrEqual(3);
    },
  );

  it('llama: shared K/V heads and rotary positions are spelled out', async () => {
    const r = await runCli(['explain', '--attention', 'mar', '--family', 'llama']);
    expect(r.stdout).toContain('Heads:              4 query, 2 key/value (each K/V head shared by 2)');
    expect(r.stdout).toContain('GQA: 4 query heads share 2 K/V heads (heads 0,1 → K/V 0; heads 2,3 → K/V 1)');
    expect(r.stdout).toMatch(/RoPE \(θ = 10000\)/);
  });

  it("bloom: ALiBi's bias is shown as its own matrix", async () => {
    const r = await runCli(['explain', '--attention', 'mar', '--family', 'bloom']);
    expect(r.stdout).toMatch(/ALiBi bias added to the scores \(slopes 0\.2500, 0\.0625, 0\.0156, 0\.0039;/);
    // Head 0's slope is 1/4: row r (position 3) is −(3 − j)/4 for j ≤ 3, masked after.
    expect(r.stdout).toMatch(/^ {4}3 r {3}-0\.750 -0\.500 -0\.250 {2}0\.000$/m);
    expect(r.stdout).toMatch(/^ {4}0 BOS {2}0\.000 {6}· {6}· {6}·$/m);
  });

  it('train --family falcon --steps 1000 trains an MQA model and records the family', async () => {
    const out = join(dir, 'falcon.safetensors');
    const r = await runCli(['train', '--family', 'falcon', '--steps', '1000', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Trained a tiny falcon model, 1,000 steps/);
    const loss = Number(r.stdout.match(/Mean loss over the corpus: (\d\.\d+)/)![1]);
    expect(loss).toBeLessThan(2.7);
    const e = await runCli(['explain', '--attention', 'mar', '--model', out]);
    expect(e.stdout).toContain('Attention type:     MQA (multi-query attention)');
    expect(e.stdout).toMatch(/Head specialisation/);
    expect((await runCli(['inspect', '--model', out])).stdout).toMatch(/layer0\.norm_attn_w/);
    expect((await runCli(['explain', '--attention', 'mar', '--model', out, '--family', 'llama'])).stderr).toMatch(
      /holds a falcon model, not llama/,
    );
  });

  it('inspect, trace, eval and sample take --family', async () => {
    expect((await runCli(['inspect', '--family', 'gpt2'])).stdout).toMatch(/layer0\.attn_bq/);
    const trace = (await runCli(['trace', 'emma', '--family', 'qwen2'])).stdout;
    expect(trace).toMatch(/mlp\.hook_post +MLP activation/);
    // SiLU, not ReLU: no zeros column.
    expect(trace).not.toMatch(/zeros/);
    expect(JSON.parse((await runCli(['eval', '--family', 'opt', '--json'])).stdout).meanLoss).toBeGreaterThan(3);
    expect((await runCli(['sample', '--family', 'phi3', '-n', '2'])).code).toBe(0);
  });

  it("explain --tensor layer0.attn_wk --family llama: the tiny model's shared K projection", async () => {
    const r = await runCli(['explain', '--tensor', 'layer0.attn_wk', '--family', 'llama']);
    expect(r.stdout).toContain('Shape:       [8, 16]');
    expect(r.stdout).toMatch(/a parameter of the tiny llama model/);
  });

  it('explain --kernel marks rows executable or explain-only', async () => {
    expect((await runCli(['explain', '--kernel', 'llama'])).stdout).not.toMatch(/explain-only/);
    expect((await runCli(['explain', '--kernel', 'mamba'])).stdout).toMatch(
      /ssm \(selective state space\).*explain-only/,
    );
  });

  it('mamba and rwkv say they are explain-only', async () => {
    for (const family of ['mamba', 'rwkv']) {
      const r = await runCli(['explain', '--attention', 'mar', '--family', family]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/MG022: .*explain-only/);
    }
  });
});
