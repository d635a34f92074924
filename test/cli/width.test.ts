// Every command's human output fits the columns it is given (COLUMNS, piped):
// 80 by default, and narrower when asked. Box tables wrap or turn vertical;
// prose wraps with its indent.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { CONFIGS, gpt2Tensors, llama2Q4KMGguf, writeModelDir } from '../helpers/model-files.js';
import { visibleWidth } from '../../src/render/layout.js';
import { gpt2Layout, writeRandomHf } from '../helpers/hf-models.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-width-'));
const model = join(dir, 'm.safetensors');
const gpt2 = join(dir, 'gpt2');
const gguf = join(dir, 'q4.gguf');
const names = join(dir, 'names.txt');
const real = join(dir, 'real-gpt2');

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
  ['explain', '--heads'],
  ['ablate', '--model', 'MODEL', '-n', '20', '--heads', '0.1,0.2'],
  ['patch', '--model', 'MODEL', '--clean', 'emma', '--corrupt', 'anna', '--target', 'a'],
  ['lab', 'induction', '--steps', '40', '--every', '20'],
  ['explain', '--heads', '--model', 'REAL'],
  ['explain', '--attention', 'the quick brown fox jumps over the lazy dog', '--model', 'REAL', '--layer', '1'],
  ['sample', '--model', 'REAL', '--prompt', 'The cat', '--max-tokens', '5'],
  ['trace', 'the cat sat', '--model', 'REAL'],
];

const paths: Record<string, string> = { MODEL: model, GPT2: gpt2, GGUF: gguf, NAMES: names, REAL: real };
const widest = (text: string) =>
  text
    .split('\n')
    .map((l) => ({ l, w: visibleWidth(l) }))
    .reduce((a, b) => (b.w > a.w ? b : a), { l: '', w: 0 });

describe('every command fits the terminal width', () => {
  for (const columns of [80, 60]) {
    for (const args of COMMANDS) {
      it(`COLUMNS=${columns} microgpt ${args.join(' ')}`, async () => {
        const r = await runCli(
          args.map((a) => paths[a] ?? a),
          { COLUMNS: String(columns) },
        );
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
