import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { serialize } from '../../src/model/safetensors.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { charTokenizerJson, hfConfig, hfTensors, tinyNative } from '../helpers/hf-models.js';
import { writeModelDir, writeSparseGguf } from '../helpers/model-files.js';

/**
 * What must never reach a terminal, a JSON document or an HTML page raw from
 * anything read outside: C0 (but the newlines the tool itself writes), DEL, C1,
 * bidi controls, U+2028/9, zero-width characters and Unicode tag characters.
 */
const RAW =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff\u{e0000}-\u{e007f}]/u;
/** One of each class: ESC, BEL, a one-character CSI (U+009B), RLO, a line separator, a zero-width space, a tag "A". */
const EVIL = '\u001b[31mX\u0007\u009b1m\u202eevil\u2066\u2028\u200b\u{e0041}';
/** A clipboard write (OSC 52), the example. */
const OSC52 = '\u001b]52;c;SGk=\u0007';
/** Token pieces of the hostile tokenizer, one hostile character each, so that text tokenizes into them. */
const PIECES = ['\u001b', '\u0007', '\u009b', '\u202e', '\u2028', '\u200b', '\u{e0041}', '\u007f'];
/** Text made of ordinary letters and every hostile piece. */
const TEXT = `h${PIECES.join('')}ello`;

const dir = mkdtempSync(join(tmpdir(), 'microgpt-escapes-'));
const ckpt = join(dir, `m${EVIL}.safetensors`);
const evilCkpt = join(dir, 'evil-vocab.safetensors');
const contracts = join(dir, 'contracts');
const modelDir = join(dir, `model${EVIL}`);
const hfDir = join(dir, 'hf');
const gguf = join(dir, `g${EVIL}.gguf`);
const evilData = join(dir, 'evil-names.txt');
const hfData = join(dir, 'hf-data.txt');
const html = join(dir, 'out.html');

/** A runnable llama folder whose tokenizer pieces, tensor names, config strings and safetensors metadata are hostile. */
async function writeHostileHf(path: string): Promise<void> {
  mkdirSync(path);
  const native = await tinyNative('llama');
  writeFileSync(
    join(path, 'config.json'),
    JSON.stringify({ ...hfConfig(native, 'llama'), _name_or_path: EVIL, transformers_version: EVIL }),
  );
  const tensors = hfTensors(native, 'llama');
  tensors.push({ name: `extra${EVIL}.weight`, shape: [2], data: new Float64Array([1, 2]) });
  writeFileSync(join(path, 'model.safetensors'), serialize(tensors, { format: 'pt', [`key${EVIL}`]: `value${EVIL}` }));
  const tok = charTokenizerJson() as { model: { vocab: Record<string, number> } };
  const vocab = tok.model.vocab;
  // Letters a..i become the hostile pieces (ids 0..7) and the OSC 52 clipboard write (id 8).
  const renamed = [...PIECES, OSC52];
  for (const [piece, id] of Object.entries({ ...vocab }))
    if (id < renamed.length) {
      delete vocab[piece];
      vocab[renamed[id]!] = id;
    }
  writeFileSync(join(path, 'tokenizer.json'), JSON.stringify(tok));
  writeFileSync(join(path, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 16, bos_token: EVIL }));
}

beforeAll(async () => {
  expect((await runCli(['train', '--steps', '3', '--out', ckpt])).code).toBe(0);
  writeFileSync(evilData, `h${PIECES[0]}llo\nw${PIECES.slice(1).join('')}rld\nmary\n`);
  expect((await runCli(['train', '--steps', '3', '--data', evilData, '--out', evilCkpt])).code).toBe(0);
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
  await writeHostileHf(hfDir);
  writeFileSync(hfData, `${TEXT}\nhello there\n`);
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

/** Every command that can take a hostile model, file, name or argument. `html` marks the runs that write `out.html`. */
const CASES: Array<[string, () => string[]]> = [
  // microGPT checkpoints: a hostile path, and a vocabulary trained from hostile names.
  [
    'explain --attention, hostile --model and --html paths',
    () => ['explain', '--attention', 'mar', '--model', ckpt, '--html', join(dir, `a${EVIL}.html`)],
  ],
  [
    'explain --attention, hostile vocabulary, --html',
    () => ['explain', '--attention', `h${PIECES[0]}llo`, '--model', evilCkpt, '--html', html],
  ],
  ['explain --detect, hostile vocabulary', () => ['explain', '--detect', '--model', evilCkpt]],
  ['explain --tensor, hostile vocabulary', () => ['explain', '--tensor', 'wte', '--model', evilCkpt]],
  ['explain --kernel of a checkpoint', () => ['explain', '--kernel', '--model', evilCkpt]],
  ['inspect, hostile vocabulary, --html', () => ['inspect', evilCkpt, '--html', html]],
  [
    'inspect a checkpoint at a hostile path, with --html',
    () => ['inspect', ckpt, '--html', join(dir, `i${EVIL}.html`)],
  ],
  ['trace, hostile vocabulary', () => ['trace', `w${PIECES.slice(1).join('')}rld`, '--model', evilCkpt]],
  ['trace --lens, hostile path', () => ['trace', 'emma', '--model', ckpt, '--lens']],
  [
    'sample --explain, hostile vocabulary',
    () => ['sample', '--model', evilCkpt, '-n', '30', '--explain', '--temperature', '2'],
  ],
  ['eval, hostile vocabulary and data', () => ['eval', '--model', evilCkpt, '--data', evilData]],
  ['ablate, hostile vocabulary', () => ['ablate', '--model', evilCkpt, '--data', evilData]],
  [
    'patch, hostile vocabulary',
    () => ['patch', '--model', evilCkpt, '--clean', `h${PIECES[0]}llo`, '--corrupt', 'hmary', '--target', PIECES[1]!],
  ],
  ['train on hostile names', () => ['train', '--steps', '2', '--data', evilData, '--no-out']],
  ['validate a checkpoint', () => ['validate', evilCkpt]],
  ['diff two checkpoints, --values', () => ['diff', evilCkpt, join(dir, 'plain.safetensors'), '--values']],
  // Hostile contracts.
  [
    'explain --attention, hostile display_name',
    () => ['explain', '--attention', 'mar', '--family', 'evil', '--contracts', contracts],
  ],
  ['explain --kernel of a hostile contract', () => ['explain', '--kernel', 'evil', '--contracts', contracts, '-v']],
  ['contracts list', () => ['contracts', 'list', '--contracts', contracts]],
  ['contracts validate', () => ['contracts', 'validate', contracts]],
  [
    'explain --kernel --vs a hostile contract',
    () => ['explain', '--kernel', 'llama', '--vs', 'evil', '--contracts', contracts],
  ],
  [
    'explain --attention --html, hostile display_name',
    () => ['explain', '--attention', 'mar', '--family', 'evil', '--contracts', contracts, '--html', html],
  ],
  // A runnable model folder: hostile token pieces, tensor names, config strings, metadata.
  [
    'explain --attention --ids (the OSC 52 token first), --html',
    () => ['explain', '--attention', '--ids', '8,0,1,2,3,4,5,6,7', '--model', hfDir, '--html', html],
  ],
  ['explain --attention on hostile text', () => ['explain', '--attention', TEXT, '--model', hfDir]],
  ['explain --detect on the folder', () => ['explain', '--detect', '--model', hfDir]],
  ['explain --kernel of its config.json', () => ['explain', '--kernel', join(hfDir, 'config.json'), '-v']],
  ['explain --kernel --memory of the folder', () => ['explain', '--kernel', hfDir, '--memory']],
  ['explain --tensor with a hostile name', () => ['explain', '--tensor', `extra${EVIL}.weight`]],
  ['inspect the folder', () => ['inspect', hfDir, '-v', '--metadata']],
  ['validate --scan the folder', () => ['validate', hfDir, '--scan']],
  ['diff the folder', () => ['diff', hfDir, modelDir, '--values']],
  ['trace --lens on hostile text', () => ['trace', TEXT, '--model', hfDir, '--lens']],
  [
    'sample from hostile ids',
    () => ['sample', '--model', hfDir, '--ids', '8,0,1,2', '--temperature', '3', '--max-tokens', '12'],
  ],
  [
    'sample from hostile text',
    () => ['sample', '--model', hfDir, '--prompt', TEXT, '--temperature', '0', '--max-tokens', '3'],
  ],
  ['eval on hostile data', () => ['eval', '--model', hfDir, '--data', hfData]],
  ['ablate on hostile text', () => ['ablate', '--model', hfDir, '--text', TEXT]],
  [
    'patch with hostile text and target',
    () => ['patch', '--model', hfDir, '--clean', TEXT, '--corrupt', TEXT.replace('h', 'j'), '--target', PIECES[2]!],
  ],
  ['cache --list of the folder', () => ['cache', '--list', '--model', hfDir]],
  [
    'cache of hostile text',
    () => ['cache', TEXT, '--model', hfDir, '--names', '*resid_post', '--out', join(dir, `c${Math.random()}.st`)],
  ],
  [
    'cache of a hostile vocabulary',
    () => [
      'cache',
      `h${PIECES[0]}llo`,
      '--model',
      evilCkpt,
      '--names',
      'hook_embed',
      '--out',
      join(dir, `e${Math.random()}.st`),
    ],
  ],
  // Sparse folders and GGUF: names and metadata only.
  ['inspect a folder with hostile tensor names and config', () => ['inspect', modelDir, '-v']],
  ['validate it', () => ['validate', modelDir]],
  ['diff it', () => ['diff', modelDir, join(dir, 'plain.safetensors')]],
  ['inspect a GGUF with hostile metadata', () => ['inspect', gguf, '--metadata', '-v']],
  ['validate the GGUF', () => ['validate', gguf]],
  ['explain --kernel --memory of the GGUF', () => ['explain', '--kernel', gguf, '--memory']],
  ['a hostile path that does not exist', () => ['inspect', join(dir, `none${EVIL}`)]],
  ['a hostile unknown family', () => ['explain', '--kernel', `x${EVIL}`]],
];

/** Where the first raw character is, with some context, for the failure message. */
function leak(where: string, text: string): string {
  const m = RAW.exec(text);
  return m ? `${where}: ${JSON.stringify(text.slice(Math.max(0, m.index - 80), m.index + 20))}` : '';
}

describe('no string from outside reaches an output raw: text, JSON and HTML escape C0, C1, DEL, bidi, separators, zero-width and tags', () => {
  for (const [what, args] of CASES) {
    for (const json of [false, true]) {
      it(`${what}${json ? ' --json' : ''}`, async () => {
        const a = args();
        const writesHtml = a.includes('--html');
        const htmlPath = writesHtml ? a[a.indexOf('--html') + 1]! : '';
        if (writesHtml) rmSync(htmlPath, { force: true });
        const r = await runCli([...a, ...(json ? ['--json'] : [])]);
        expect(r.code, r.stderr).toBeLessThan(3);
        expect(leak('stdout', r.stdout)).toBe('');
        expect(leak('stderr', r.stderr)).toBe('');
        if (writesHtml && r.code < 2) {
          expect(existsSync(htmlPath), r.stderr).toBe(true);
          expect(leak('html', readFileSync(htmlPath, 'utf8'))).toBe('');
        }
        if (json && r.code < 2) JSON.parse(r.stdout);
      });
    }
  }
});

describe('JSON keeps the exact strings (escaped as \\u, never altered)', () => {
  it('tensor names and metadata of a model folder parse back to the hostile originals', async () => {
    const r = await runCli(['inspect', hfDir, '-v', '--metadata', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(leak('stdout', r.stdout)).toBe('');
    expect(r.stdout).toContain('\\u009b');
    expect(r.stdout).toContain('\\udb40\\udc41');
    const parsed = JSON.stringify(JSON.parse(r.stdout));
    expect(parsed).toContain(JSON.stringify(`extra${EVIL}.weight`).slice(1, -1));
    expect(parsed).toContain(JSON.stringify(`value${EVIL}`).slice(1, -1));
  });
  it('token pieces of the attention report parse back to the hostile pieces', async () => {
    const r = await runCli(['explain', '--attention', '--ids', '8,0,1,2,3,4,5,6,7', '--model', hfDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const tokens = (JSON.parse(r.stdout) as { tokens: Array<{ label: string }> }).tokens.map((t) => t.label);
    expect(tokens).toEqual([OSC52, ...PIECES]);
  });
});

describe('text shows every hostile character in one visible notation', () => {
  it('the attention report names the first token with its escapes (\\x1b, \\x07, \\x9b, \\u202e, \\u2028, \\u200b, \\u{e0041})', async () => {
    const r = await runCli(['explain', '--attention', '--ids', '8,0,1,2,3,4,5,6,7', '--model', hfDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('the first token (\\x1b]52;c;SGk=\\x07) can only see itself');
    for (const shown of ['\\x9b', '\\u202e', '\\u2028', '\\u200b', '\\u{e0041}', '\\x7f'])
      expect(r.stdout).toContain(shown);
  });
  it('the HTML page shows them the same way', async () => {
    rmSync(html, { force: true });
    const r = await runCli(['explain', '--attention', '--ids', '8,0,1,2,3,4,5,6,7', '--model', hfDir, '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    for (const shown of ['\\x1b]52;c;SGk=\\x07', '\\x9b', '\\u202e', '\\u2028', '\\u200b', '\\u{e0041}'])
      expect(page).toContain(shown);
  });
});
