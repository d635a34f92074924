// Every command's human output fits the columns it is given (COLUMNS, piped):
// 80 by default, and narrower when asked. Box tables wrap or turn vertical;
// prose wraps with its indent.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { expectRowOf, printedMatrices } from '../helpers/screens.js';
import { CONFIGS, gpt2Tensors, llama2Q4KMGguf, writeModelDir } from '../helpers/model-files.js';
import { visibleWidth } from '../../src/render/layout.js';
import { gpt2Layout, writeRandomHf } from '../helpers/hf-models.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-width-'));
const model = join(dir, 'm.safetensors');
const gpt2 = join(dir, 'gpt2');
const gguf = join(dir, 'q4.gguf');
const names = join(dir, 'names.txt');
const real = join(dir, 'real-gpt2');
const big = join(dir, 'gpt2-12x12');
/** 64 token ids for the 12 × 12 model (its character vocabulary: a–z, space, <s>). */
const IDS64 = Array.from({ length: 64 }, (_, i) => (i === 0 ? 27 : (i * 7) % 27)).join(',');
/** 63 characters: with the <s> the tokenizer prepends, 64 tokens. */
const TEXT63 = 'the quick brown fox jumps over the lazy dog and the cat sat on t';

beforeAll(async () => {
  const r = await runCli(['train', '--steps', '20', '--out', model]);
  expect(r.code, r.stderr).toBe(0);
  writeModelDir(gpt2, CONFIGS.gpt2!, gpt2Tensors());
  llama2Q4KMGguf(gguf);
  writeFileSync(names, 'emma\nolivia\nava\n');
  writeRandomHf(
    real,
    { model_type: 'gpt2', n_embd: 16, n_layer: 2, n_head: 4, n_positions: 64, vocab_size: 50257 },
    gpt2Layout({ hidden: 16, layers: 2, vocab: 50257, positions: 64 }),
  );
  // GPT-2's real layout at 12 layers × 12 heads (head_dim 4, hidden 48) and 64 positions; a small
  // character vocabulary keeps every command fast enough to run twice.
  writeRandomHf(
    big,
    {
      model_type: 'gpt2',
      n_embd: 48,
      n_layer: 12,
      n_head: 12,
      n_positions: 64,
      vocab_size: 28,
      bos_token_id: 27,
      eos_token_id: 27,
    },
    gpt2Layout({ hidden: 48, layers: 12, vocab: 28, positions: 64 }),
    { tokenizer: true },
  );
}, 60_000);

const COMMANDS: string[][] = [
  ['--help'],
  ['explain', '--help'],
  ['explain', '--kernel', 'gpt2', '-v'],
  ['explain', '--kernel', 'llama', '-v'],
  ['explain', '--kernel', 'mixtral', '-v'],
  ['explain', '--kernel', 'gpt2', '--vs', 'llama'],
  ['explain', '--kernel', 'gpt2', '--vs', 'llama', '-v'],
  ['explain', '--kernel', 'llama', '--size', '8b', '--memory', '--context', '8192'],
  ['explain', '--tensor', 'attn_mask'],
  ['explain', '--tensor', 'attn_mask', '--len', '16'],
  ['explain', '--tensor', 'model.layers.3.self_attn.q_proj.weight'],
  ['explain', '--tensor', 'wte'],
  ['explain', '--attention', 'mar'],
  ['explain', '--attention', 'abcdefghijklmno'],
  ['explain', '--attention', 'mar', '--family', 'llama'],
  ['explain', '--attention', 'mar', '--model', 'MODEL'],
  ['explain', '--errors'],
  ['explain', 'MG012'],
  ['contracts', 'list'],
  ['contracts', 'validate', 'contracts/llama.json'],
  ['example'],
  ['example', 'explain_attention'],
  ['train', '--steps', '5', '--no-out'],
  ['eval', '--model', 'MODEL', '--data', 'NAMES'],
  ['sample', '--model', 'MODEL', '-n', '3', '--explain'],
  ['inspect'],
  ['inspect', '--model', 'MODEL'],
  ['inspect', 'GPT2'],
  ['inspect', 'GPT2', '-v'],
  ['inspect', 'GGUF', '--metadata'],
  ['validate', 'GPT2'],
  ['diff', 'MODEL', 'MODEL', '--values'],
  ['trace', 'emma', '--model', 'MODEL'],
  ['explain', '--detect'],
  ['ablate', '--model', 'MODEL', '-n', '20', '--heads', '0.1,0.2'],
  ['patch', '--model', 'MODEL', '--clean', 'emma', '--corrupt', 'anna', '--target', 'a'],
  ['lab', 'induction', '--steps', '40', '--every', '20'],
  ['explain', '--detect', '--model', 'REAL'],
  ['explain', '--attention', 'the quick brown fox jumps over the lazy dog', '--model', 'REAL', '--layer', '1'],
  ['sample', '--model', 'REAL', '--prompt', 'The cat', '--max-tokens', '5'],
  ['trace', 'the cat sat', '--model', 'REAL', '--lens'],
  ['trace', '--ids', '50,1000,7,40000', '--model', 'REAL', '--lens', '--names', '*resid_post'],
  ['sample', '--model', 'REAL', '--ids', '50,1000,7', '--max-tokens', '3'],
  ['explain', '--attention', '--ids', IDS64, '--model', 'BIG'],
  ['explain', '--detect', '--model', 'BIG'],
  ['trace', '--ids', IDS64, '--model', 'BIG', '--lens'],
  ['sample', '--model', 'BIG', '--prompt', 'the cat', '--max-tokens', '8'],
  ['ablate', '--model', 'BIG', '--text', 'the cat sat'],
  ['patch', '--model', 'BIG', '--clean', 'the cat', '--corrupt', 'the dog', '--target', 'a'],
  ['patch', '--model', 'MODEL', '--clean', 'abcdefghijklmno', '--corrupt', 'abcdefghijklmnp', '--target', 'a'],
];

const paths: Record<string, string> = { MODEL: model, GPT2: gpt2, GGUF: gguf, NAMES: names, REAL: real, BIG: big };
const widest = (text: string) =>
  text
    .split('\n')
    .map((l) => ({ l, w: visibleWidth(l) }))
    .reduce((a, b) => (b.w > a.w ? b : a), { l: '', w: 0 });

/** Each command line runs once per width; the screen tests below read the same output. */
const outputs = new Map<string, Promise<CliResult>>();
const run = (args: string[], columns: number): Promise<CliResult> => {
  const key = `${columns} ${args.join(' ')}`;
  if (!outputs.has(key))
    outputs.set(
      key,
      runCli(
        args.map((a) => paths[a] ?? a),
        { COLUMNS: String(columns) },
      ),
    );
  return outputs.get(key)!;
};

describe('every command fits the terminal width', () => {
  for (const columns of [80, 60]) {
    for (const args of COMMANDS) {
      it(`COLUMNS=${columns} microgpt ${args.join(' ').replace(IDS64, '<64 ids>')}`, async () => {
        const r = await run(args, columns);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout.length).toBeGreaterThan(0);
        const w = widest(r.stdout);
        expect(w.w, `widest line: ${JSON.stringify(w.l)}`).toBeLessThanOrEqual(columns);
      });
    }
  }

  it('lays out wider when given more columns (tables are not squeezed needlessly)', async () => {
    const narrow = await runCli(['explain', '--kernel', 'gpt2', '-v'], { COLUMNS: '80' });
    const wide = await runCli(['explain', '--kernel', 'gpt2', '-v'], { COLUMNS: '200' });
    expect(widest(wide.stdout).w).toBeGreaterThan(80);
    expect(wide.stdout.split('\n').length).toBeLessThan(narrow.stdout.split('\n').length);
  });
});

describe('a 12-layer × 12-head model on 64 tokens reads well at 80 and 60 columns', () => {
  for (const columns of [80, 60]) {
    it(`COLUMNS=${columns} explain --attention: every head a matrix of whole rows, the left-out keys counted`, async () => {
      const args = ['explain', '--attention', '--ids', IDS64, '--model', 'BIG'];
      const text = (await run(args, columns)).stdout;
      const doc = JSON.parse((await runCli([...args.map((a) => paths[a] ?? a), '--json'])).stdout);
      const printed = printedMatrices(text);
      expect(printed.size).toBe(144);
      for (const layer of doc.layers)
        for (const head of layer.heads) {
          const rows = printed.get(`Layer ${layer.layer}, head ${head.head}`)!;
          expect(rows.map((r) => r.pos)).toEqual(head.rows.map((r: { pos: number }) => r.pos));
          // Whole rows: every printed cell is the model's weight, the left-out ones behind one "…".
          head.rows.forEach((row: { weights: number[] }, i: number) => expectRowOf(rows[i]!, row.weights));
        }
      const kept = printed.get('Layer 0, head 0')![0]!.cells.filter((c) => c !== '…').length;
      expect(text.replace(/\s+/g, ' ')).toContain(`each matrix shows ${kept} of the 64 keys, leaving out keys`);
      expect(text).toContain('Every head at a glance');
    });

    it(`COLUMNS=${columns} explain --detect: a compact grid, under 100 lines`, async () => {
      const text = (await run(['explain', '--detect', '--model', 'BIG'], columns)).stdout;
      expect(text.split('\n').length).toBeLessThan(100);
      expect(text.match(/^ {2}L11 /gm)).toHaveLength(4);
    });

    it(`COLUMNS=${columns} trace --lens: a row per hook point (two at most), the last position read out`, async () => {
      const text = (await run(['trace', '--ids', IDS64, '--model', 'BIG', '--lens'], columns)).stdout;
      const args = ['trace', '--ids', IDS64, '--model', 'BIG'];
      const n = JSON.parse((await runCli([...args.map((a) => paths[a] ?? a), '--json'])).stdout).stages.length;
      const section = text.slice(text.indexOf("Each activation's"), text.indexOf('Predictions'));
      if (columns === 80) expect(section.match(/^ {4}\S+ +\[[\d, ]+\] .*\d$/gm)).toHaveLength(n);
      else {
        expect(section.match(/^ {4}\S+$/gm)).toHaveLength(n);
        expect(section.match(/^ {8}\[[\d, ]+\] .*\d$/gm)).toHaveLength(n);
      }
      expect(text).not.toMatch(/zeros/);
      // The last position (63) predicts the next token: its row is there, with no target.
      expect(text).toMatch(/^ {2}63 \S+ +→ \? /m);
    });
  }

  it('sample --explain keeps each candidate whole at 60 columns', async () => {
    const text = (await run(['sample', '--model', 'MODEL', '-n', '3', '--explain'], 60)).stdout;
    const item = /^(?:\[?(?:[a-z]|BOS) [\d.e-]+%→[\d.e-]+%\]?|drew (?:[a-z]|BOS) [\d.e-]+%→[\d.e-]+%)$/;
    const steps = text.split('\n').filter((l) => /^ {4}pos +\d+: |^ {12}\S/.test(l));
    expect(steps.length).toBeGreaterThan(3);
    for (const l of steps)
      for (const cand of l
        .replace(/^ {4}pos +\d+: /, '')
        .trim()
        .split(/ {2}/))
        expect(cand).toMatch(item);
  });
});
