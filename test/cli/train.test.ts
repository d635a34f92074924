import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, expectOneLineError, runCli } from '../helpers/cli.js';
import { readSafetensors } from '../helpers/mini-safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-train-'));
const model = join(dir, 'm.safetensors');

describe('microgpt train and the commands that read its checkpoint', () => {
  let train: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    train = await runCli(['train', '--steps', '300', '--out', model]);
  });

  it('train reports the loss curve, corpus loss, speed and samples; logs progress on stderr', () => {
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/Trained 300 steps on 8,403 names/);
    expect(train.stdout).toMatch(/Mean loss over the corpus: \d\.\d{4}/);
    expect(train.stdout).toMatch(/steps\/s/);
    expect(train.stdout).toMatch(/Samples \(temperature 0\.5\): [a-z]/);
    expect(train.stdout).toMatch(/┼/);
    expect(train.stderr).toMatch(/^step 100\/300 {2}loss \d\.\d{4}/m);
    expect(existsSync(model)).toBe(true);
    expect(readSafetensors(readFileSync(model)).metadata.format).toBe('microgpt');
  });

  it("train --json prints one JSON document with every step's loss", async () => {
    const r = await runCli(['train', '--steps', '20', '--no-out', '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.losses).toHaveLength(20);
    expect(doc.out).toBeNull();
  });

  it('explain --attention --model shows learned weights and the head summary', async () => {
    const r = await runCli(['explain', '--attention', 'mar', '--model', model]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`attention weights from ${model}`);
    expect(r.stdout).toMatch(/Head specialisation/);
    expect(r.stdout.match(/^ {2}head \d: (.+ head, \d\.\d\d|broad head, entropy \d\.\d\d)$/gm)).toHaveLength(4);
    const untrained = await runCli(['explain', '--attention', 'mar']);
    expect(untrained.stdout).not.toMatch(/Head specialisation/);
  });

  it("eval agrees with train's corpus loss", async () => {
    const r = await runCli(['eval', '--model', model, '--json']);
    const fromTrain = Number(train.stdout.match(/Mean loss over the corpus: (\d\.\d{4})/)![1]);
    // F32 checkpoint vs the f64 model train evaluated
    expect(Math.abs(JSON.parse(r.stdout).meanLoss - fromTrain)).toBeLessThan(2e-4);
  });

  it('eval --data reads one name per line', async () => {
    const data = join(dir, 'names.txt');
    writeFileSync(data, 'emma\nolivia\n\nava\n');
    const r = await runCli(['eval', '--model', model, '--data', data, '--json']);
    expect(JSON.parse(r.stdout).documents).toBe(3);
  });

  it('sample is deterministic and --explain shows the token-selection trace', async () => {
    const a = await runCli(['sample', '--model', model, '-n', '5', '--seed', '3']);
    expect(a.code).toBe(0);
    expect((await runCli(['sample', '--model', model, '-n', '5', '--seed', '3'])).stdout).toBe(a.stdout);
    const e = await runCli(['sample', '--model', model, '-n', '1', '--explain']);
    // Probabilities as percentages (render/numbers.ts), the drawn one in brackets.
    expect(e.stdout).toMatch(/pos {2}0: [a-z] \d+(\.\d+)?%→\d+(\.\d+)?%/);
    expect(e.stdout).toMatch(/\[[a-zBOS]+ \d+(\.\d+)?%→\d+(\.\d+)?%\]|drew/);
  });

  it('sample --temperature 0 is greedy: every step takes the likeliest token, whatever the seed', async () => {
    const doc = (seed: string) =>
      runCli(['sample', '--model', model, '-n', '3', '--temperature', '0', '--seed', seed, '--json']).then((r) =>
        JSON.parse(r.stdout),
      );
    const a = await doc('1');
    const b = await doc('2');
    expect(a.greedy).toBe(true);
    expect(a.samples.map((n: { text: string }) => n.text)).toEqual(b.samples.map((n: { text: string }) => n.text));
    for (const name of a.samples)
      for (const step of name.steps) {
        // The chosen token has the largest probability at temperature 1 and all of it after.
        expect(step.chosen.pT).toBe(1);
        expect(step.chosen.p).toBe(Math.max(...step.top.map((c: { p: number }) => c.p)));
      }
    const text = await runCli(['sample', '--model', model, '-n', '1', '--temperature', '0', '--explain']);
    expect(text.stdout).toContain('greedy');
    expect(text.stdout).toContain('drawing BOS ends the name');
  });

  it('train --n-layer/--n-embd/--n-head builds a bigger model, stores its size, and everything reads it back', async () => {
    const deep = join(dir, 'deep.safetensors');
    const r = await runCli([
      'train',
      '--steps',
      '20',
      '--n-layer',
      '2',
      '--n-embd',
      '32',
      '--n-head',
      '4',
      '--out',
      deep,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    // wte + wpe + lm_head + 2 layers × (4 attention matrices C² + fc1, fc2 4C² each), C = 32, vocab 27, context 16.
    const C = 32;
    expect(doc.size).toEqual({
      layers: 2,
      embd: 32,
      heads: 4,
      kvHeads: 4,
      parameters: 27 * C + 16 * C + 27 * C + 2 * 12 * C * C,
    });
    const att = JSON.parse((await runCli(['explain', '--attention', 'mar', '--model', deep, '--json'])).stdout);
    expect(att.model).toEqual({ layers: 2, heads: 4 });
    expect(att.architecture.headDim).toBe(8);
    // Every tensor of every layer has its role, not only the layers microGPT's contract sizes have.
    const inspected = JSON.parse((await runCli(['inspect', deep, '--json'])).stdout);
    expect(inspected.tensors.find((t: { name: string }) => t.name === 'layer1.attn_wq').role).toBe('attn_q');
    expectOneLineError(
      await runCli(['train', '--n-embd', '30', '--n-head', '4', '--no-out']),
      /MG087: --n-embd 30 is not a multiple of --n-head 4/,
    );
    expectOneLineError(
      await runCli(['train', '--family', 'llama', '--n-embd', '12', '--n-head', '4', '--no-out']),
      /MG087: a head of 3 dimensions cannot be rotated by RoPE/,
    );
    expectOneLineError(await runCli(['train', '--n-layer', '0']), /--n-layer/);
    // The logit lens after the last layer is the model's own prediction; one stage per layer after the embedding.
    const lens = JSON.parse((await runCli(['trace', 'emma', '--model', deep, '--lens', '--json'])).stdout);
    expect(lens.lens.map((l: { after: string }) => l.after)).toEqual(['embedding', 'layer 0', 'layer 1']);
    lens.predictions.forEach((p: { pTarget: number }, pos: number) =>
      expect(lens.lens[2].positions[pos].pTarget).toBeCloseTo(p.pTarget, 12),
    );
    expect(JSON.parse((await runCli(['trace', 'emma', '--model', deep, '--json'])).stdout).lens).toBeNull();
  });

  it('eval says when it scores the corpus the model was trained on', async () => {
    const r = await runCli(['eval', '--model', model]);
    expect(r.stdout).toContain('in-sample');
    expect(JSON.parse((await runCli(['eval', '--model', model, '--json'])).stdout).inSample).toBe(true);
    expect(JSON.parse((await runCli(['eval', '--json'])).stdout).inSample).toBe(false);
  });

  it('inspect lists every tensor with role and statistics, and the pipeline', async () => {
    const r = await runCli(['inspect', '--model', model]);
    expect(r.code).toBe(0);
    for (const name of ['wte', 'wpe', 'lm_head', 'layer0.attn_wq', 'layer0.mlp_fc2']) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain('total: 4,192 parameters');
    expect(r.stdout).toMatch(/Kernel pipeline/);
    expect((await runCli(['inspect'])).code).toBe(0);
  });

  it('trace shows every stage and the prediction at every position', async () => {
    const r = await runCli(['trace', 'emma', '--model', model]);
    expect(r.code).toBe(0);
    for (const stage of ['hook_embed', 'layer 0 (blocks.0.*):', '    attn.hook_z ', 'MLP activation', 'hook_logits'])
      expect(r.stdout).toContain(stage);
    // microGPT's MLP is a ReLU: the zeros column is there, and only on its output.
    expect(r.stdout).toMatch(/^ {4}mlp\.hook_post .* \d+\.\d%$/m);
    expect(r.stdout.match(/^ {4}\S+ +\[[\d, ]+\] .*%$/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/P\(target\)/);
    const doc = JSON.parse((await runCli(['trace', 'emma', '--model', model, '--json'])).stdout);
    expect(doc.predictions.map((p: { target: string }) => p.target)).toEqual(['e', 'm', 'm', 'a', 'BOS']);
  });

  it("explain --tensor --model adds the values' statistics", async () => {
    const r = await runCli(['explain', '--tensor', 'wpe', '--model', model]);
    expect(r.stdout).toMatch(/Values: {6}mean -?\d\.\d{4}, std/);
  });

  it('Ctrl-C stops training cleanly and still writes a loadable checkpoint', async () => {
    const out = join(dir, 'interrupted.safetensors');
    const child = spawn(process.execPath, [CLI, 'train', '--steps', '10000000', '--out', out], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => {
      const wait = setInterval(() => {
        if (/step +200\//.test(stderr)) {
          clearInterval(wait);
          child.kill('SIGINT');
          resolve();
        }
      }, 20);
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(130);
    const r = await runCli(['eval', '--model', out, '--json']);
    expect(r.code).toBe(0);
    expect(readSafetensors(readFileSync(out)).metadata.training).toMatch(/"steps":\d+/);
  });
});

describe('bad input to the training commands', () => {
  writeFileSync(join(dir, 'names.txt'), 'anna\nbob\n');
  const cases: Array<[string, string[], RegExp]> = [
    ['negative steps', ['train', '--steps', '-1'], /--steps/],
    ['negative temperature', ['sample', '--temperature', '-0.5'], /--temperature/],
    ['non-numeric seed', ['sample', '--seed', 'abc'], /--seed/],
    [
      'missing model file',
      ['eval', '--model', join(dir, 'nope.safetensors')],
      /MG061: .*nope.safetensors: no such file or folder/,
    ],
    // A folder is read as a model folder, which says what it lacks (issue 19).
    [
      'a directory as model',
      ['eval', '--model', mkdtempSync(join(dir, 'folder-')), '--data', join(dir, 'names.txt')],
      /MG066: .*holds no model file/,
    ],
    ['a folder with no model file', ['inspect', mkdtempSync(join(dir, 'empty-'))], /holds no model file/],
    ['missing data file', ['eval', '--data', join(dir, 'nope.txt')], /cannot read \(ENOENT\)/],
    [
      'unwritable output',
      ['train', '--steps', '1', '--out', join(dir, 'no', 'such', 'dir', 'm.safetensors')],
      /cannot write/,
    ],
    [
      'not a checkpoint',
      ['eval', '--model', join(import.meta.dirname, '..', '..', 'package.json')],
      /header length|truncated|not valid JSON/,
    ],
    ['characters outside the vocabulary', ['trace', 'Émile'], /outside the vocabulary/],
  ];
  for (const [what, args, message] of cases) it(what, async () => expectOneLineError(await runCli(args), message));
});
