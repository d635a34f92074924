import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { writeModelDir, writeSparseGguf } from '../helpers/model-files.js';

/** What must never reach a terminal from a name read outside: ESC, BEL and the bidi controls. */
const RAW = /[\u001b\u0007\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const EVIL = '\u001b[31mX\u0007\u202eevil\u2066';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-escapes-'));
const ckpt = join(dir, `m${EVIL}.safetensors`);
const contracts = join(dir, 'contracts');
const modelDir = join(dir, `model${EVIL}`);
const gguf = join(dir, `g${EVIL}.gguf`);

beforeAll(async () => {
  expect((await runCli(['train', '--steps', '3', '--out', ckpt])).code).toBe(0);
  mkdirSync(contracts);
  const opt = JSON.parse(readFileSync(join(ROOT, 'contracts', 'opt.json'), 'utf8'));
  writeFileSync(
    join(contracts, 'evil.json'),
    JSON.stringify({
      ...opt,
      $schema: undefined,
      family: 'evil',
      display_name: `Evil${EVIL}`,
      vendor: `V${EVIL}`,
      aliases: [],
      architectures: [],
      model_type: 'evil',
    }),
  );
  writeModelDir(modelDir, { architectures: [`Llama${EVIL}`], model_type: `x${EVIL}` }, [
    { name: `w${EVIL}.weight`, shape: [4, 4], dtype: 'F32' },
    { name: 'model.embed_tokens.weight', shape: [10, 4], dtype: 'F32' },
  ]);
  writeSparseGguf(
    gguf,
    [
      ['general.architecture', 'string', `arch${EVIL}`],
      [`key${EVIL}`, 'string', `value${EVIL}`],
    ],
    [{ name: `t${EVIL}`, dims: [32], type: 0 }],
  );
  copyFileSync(ckpt, join(dir, 'plain.safetensors'));
});

describe('no command lets a name from outside drive the terminal (ESC, BEL, bidi controls are escaped)', () => {
  const cases: Array<[string, () => string[]]> = [
    [
      'explain --attention with a hostile --model path and --html path',
      () => ['explain', '--attention', 'mar', '--model', ckpt, '--html', join(dir, `a${EVIL}.html`)],
    ],
    [
      'explain --attention with a hostile display_name',
      () => ['explain', '--attention', 'mar', '--family', 'evil', '--contracts', contracts],
    ],
    ['explain --kernel of a hostile contract', () => ['explain', '--kernel', 'evil', '--contracts', contracts, '-v']],
    ['contracts list', () => ['contracts', 'list', '--contracts', contracts]],
    [
      'inspect a checkpoint at a hostile path, with --html',
      () => ['inspect', ckpt, '--html', join(dir, `i${EVIL}.html`)],
    ],
    ['eval, sample and trace with a hostile path', () => ['trace', 'emma', '--model', ckpt]],
    ['inspect a folder with hostile tensor names and config', () => ['inspect', modelDir, '-v']],
    ['validate it', () => ['validate', modelDir]],
    ['diff it', () => ['diff', modelDir, join(dir, 'plain.safetensors')]],
    ['inspect a GGUF with hostile metadata', () => ['inspect', gguf, '--metadata']],
    ['a hostile path that does not exist', () => ['inspect', join(dir, `none${EVIL}`)]],
  ];
  for (const [what, args] of cases) {
    for (const json of [false, true]) {
      it(`${what}${json ? ' --json' : ''}`, async () => {
        const r = await runCli([...args(), ...(json ? ['--json'] : [])]);
        expect(r.code, r.stderr).toBeLessThan(3);
        expect(RAW.test(r.stdout), r.stdout.slice(0, 300)).toBe(false);
        expect(RAW.test(r.stderr), r.stderr).toBe(false);
      });
    }
  }
});
