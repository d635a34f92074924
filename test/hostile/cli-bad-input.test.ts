import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointBytes, Gpt, MICROGPT, Tokenizer } from '../../src/model/index.js';
import { ROOT, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-hostile-'));
const file = (name: string, content: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

// A valid checkpoint, taken apart so each test file changes exactly one thing.
const valid = Buffer.from(checkpointBytes(Gpt.init(MICROGPT, 3), Tokenizer.default(), {}));
const n = Number(valid.readBigUInt64LE(0));
const header = JSON.parse(valid.toString('utf8', 8, 8 + n));
const data = valid.subarray(8 + n);

/** Writes a safetensors file from a header object and data bytes (the format, written independently). */
function st(name: string, h: unknown, body: Uint8Array = data, lengthOverride?: bigint): string {
  const text = Buffer.from(JSON.stringify(h));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(text.length));
  return file(name, Buffer.concat([len, text, body]));
}
const edit = (f: (h: any) => void) => {
  const h = structuredClone(header);
  f(h);
  return h;
};

const checkpoints: Array<[string, string, RegExp]> = [
  ['truncated to 5 bytes', file('short.safetensors', valid.subarray(0, 5)), /MG050: .*truncated: 5 bytes/],
  [
    'truncated inside the data',
    file('cut.safetensors', valid.subarray(0, valid.length - 100)),
    /MG054: .*outside the data section/,
  ],
  [
    'header length larger than the file',
    st('long.safetensors', header, data, BigInt(valid.length)),
    /MG051: .*runs past the end of the file/,
  ],
  [
    'absurd header length',
    st('absurd.safetensors', header, data, 2n ** 40n),
    /MG051: .*exceeds the 104857600-byte limit/,
  ],
  [
    'header not JSON',
    file('notjson.safetensors', Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{{{{')])),
    /MG052: .*not valid JSON/,
  ],
  ['header not an object', st('array.safetensors', [1, 2, 3], Buffer.alloc(0)), /MG052: .*not a JSON object/],
  [
    'unknown dtype',
    st(
      'dtype.safetensors',
      edit((h) => (h.wte.dtype = 'Q4_K')),
    ),
    /MG053: .*dtype "Q4_K" is unknown; this tool reads F32 and F64/,
  ],
  [
    'shape × dtype ≠ byte range',
    st(
      'size.safetensors',
      edit((h) => (h.wte.shape = [27, 15])),
    ),
    /MG054: .*needs 1620 bytes but data_offsets span 1728/,
  ],
  [
    'overlapping offsets',
    st(
      'overlap.safetensors',
      edit((h) => (h.wpe.data_offsets = [h.wpe.data_offsets[0] - 4, h.wpe.data_offsets[1] - 4])),
    ),
    /MG05[45]: /,
  ],
  [
    'offsets out of range',
    st(
      'range.safetensors',
      edit((h) => (h.lm_head.data_offsets = [1e9, 1e9 + 1728])),
    ),
    /MG054: .*outside the data section/,
  ],
  [
    'missing tensor',
    st(
      'missing.safetensors',
      edit((h) => delete h['layer0.attn_wq']),
      data,
    ),
    /MG054|MG059/,
  ],
  [
    'extra tensor',
    st(
      'extra.safetensors',
      edit((h) => (h.bonus = { dtype: 'F32', shape: [1], data_offsets: [data.length, data.length + 4] })),
      Buffer.concat([data, Buffer.alloc(4)]),
    ),
    /MG059: .*unexpected tensor "bonus"/,
  ],
  [
    'shape disagrees with the config',
    st(
      'shape.safetensors',
      edit((h) => (h['layer0.mlp_fc1'].shape = [16, 64])),
    ),
    /MG059: .*layer0\.mlp_fc1 has shape \[16, 64\], the config needs \[64, 16\]/,
  ],
  [
    'metadata not strings',
    st(
      'meta.safetensors',
      edit((h) => (h.__metadata__.config = { nEmbd: 16 })),
    ),
    /MG056: .*__metadata__\["config"\] is an object, not a string/,
  ],
  [
    'metadata format wrong',
    st(
      'format.safetensors',
      edit((h) => (h.__metadata__.format = 'pt')),
    ),
    /MG058: .*format is "pt", expected "microgpt"/,
  ],
  [
    'metadata config invalid',
    st(
      'config.safetensors',
      edit((h) => (h.__metadata__.config = '{"nEmbd": -4}')),
    ),
    /MG058: .*config\.vocab_size is undefined/,
  ],
  // A NaN weight is no load error: the run stops at the first hook it reaches (test/hostile/non-finite.test.ts).
  [
    'control characters in a tensor name are escaped',
    st(
      'ctrl.safetensors',
      edit((h) => (h['evil\u001b[31m'] = { dtype: 'F32', shape: [0], data_offsets: [data.length, data.length] })),
    ),
    /MG059: .*unexpected tensor "evil\\u001b\[31m"/,
  ],
];

mkdirSync(join(dir, 'adir.json'));
const okContract = JSON.parse(
  JSON.stringify(await import(join(ROOT, 'contracts', 'opt.json'), { with: { type: 'json' } }).then((m) => m.default)),
);
const contracts: Array<[string, string[], RegExp]> = [
  [
    'contract syntax error',
    ['explain', '--kernel', file('syntax.json', '{\n  "family": "x"\n  "vendor": 1\n}')],
    /MG010: .*syntax\.json: line 3, column 3/,
  ],
  [
    'contract schema violation',
    [
      'explain',
      '--kernel',
      file(
        'schema.json.bad.json',
        JSON.stringify({ ...okContract, sizes: { x: { ...okContract.sizes['125m'], layers: 'twelve' } } }),
      ),
    ],
    /MG011: .*: \/sizes\/x\/layers: /,
  ],
  [
    'contract inconsistent sizes',
    [
      'explain',
      '--kernel',
      file('incons.json', JSON.stringify({ ...okContract, sizes: { x: { ...okContract.sizes['125m'], heads: 7 } } })),
    ],
    /MG012: .*\/sizes\/x\/heads: heads \(7\) × head_dim must equal hidden/,
  ],
  [
    'contract unknown constraint value',
    [
      'explain',
      '--kernel',
      file('unk.json', JSON.stringify({ ...okContract, constraints: { ...okContract.constraints, mlp_type: 'moe' } })),
    ],
    /MG011: .*"moe" is not allowed; one of: relu_mlp, gelu_mlp, swiglu, gated_mlp/,
  ],
  [
    'contract absurd numbers',
    [
      'explain',
      '--kernel',
      file(
        'huge.json',
        JSON.stringify({ ...okContract, sizes: { x: { ...okContract.sizes['125m'], context: 1e12 } } }),
      ),
    ],
    /MG012: .*implausibly large/,
  ],
  [
    'config.json syntax error',
    ['explain', '--kernel', file('config.json', '{"model_type": "llama",}')],
    /MG010: .*config\.json: line 1, column 24/,
  ],
  [
    'config.json absurd numbers',
    [
      'explain',
      '--kernel',
      file(
        'absurd-config.json',
        JSON.stringify({ model_type: 'llama', hidden_size: 1e12, num_attention_heads: 32, num_hidden_layers: 2 }),
      ),
    ],
    /MG018: .*hidden = 1000000000000 is not a usable size/,
  ],
  [
    'config.json heads not divisible by KV heads',
    [
      'explain',
      '--kernel',
      file(
        'kv-config.json',
        JSON.stringify({
          model_type: 'llama',
          hidden_size: 96,
          num_attention_heads: 6,
          num_key_value_heads: 4,
          num_hidden_layers: 2,
        }),
      ),
    ],
    /MG018: .*6 attention heads are not divisible by 4 key\/value heads/,
  ],
  [
    'config.json of an unknown family',
    ['explain', '--kernel', join(ROOT, 'test', 'fixtures', 'hf', 'unknown-arch.json')],
    /MG019: /,
  ],
  ['a directory as a contract', ['explain', '--kernel', join(dir, 'adir.json')], /MG013: .*is a directory/],
];

const args: Array<[string, string[], RegExp]> = [
  ['characters outside the vocabulary', ['explain', '--attention', 'ana!'], /MG003: .*"!"/],
  ['empty text', ['trace', ''], /MG002: /],
  ['trace with no input', ['trace'], /MG001: trace needs an input/],
  ['trace with text and --ids', ['trace', 'mar', '--ids', '1,2'], /MG001: .*not both/],
  ['trace --ids on microGPT', ['trace', '--ids', '1,2'], /MG001: --ids goes with --model DIR/],
  [
    'trace --names matching nothing',
    ['trace', 'mar', '--names', 'blocks.7.*'],
    /MG005: --names "blocks\.7\.\*" matches no hook point/,
  ],
  ['text too long', ['explain', '--attention', 'a'.repeat(16)], /MG004: /],
  ['--steps -1', ['train', '--steps', '-1'], /MG000: .*--steps/],
  ['--temperature -1', ['sample', '--temperature', '-1'], /MG000: .*--temperature/],
  ['--seed abc', ['explain', '--attention', 'mar', '--seed', 'abc'], /MG000: .*--seed/],
  ['--lr NaN', ['train', '--lr', 'NaN'], /MG000: .*--lr/],
  [
    'missing model file',
    ['eval', '--model', join(dir, 'none.safetensors')],
    /MG061: .*none.safetensors: no such file or folder/,
  ],
  // A folder is read as a model folder, which says what it lacks (issue 19: not "takes a .safetensors file").
  [
    'a directory as the model',
    ['trace', 'mar', '--model', mkdtempSync(join(dir, 'folder-'))],
    /MG066: .*holds no model file/,
  ],
  ['a directory as --data', ['eval', '--data', dir], /MG041: .*is a directory/],
  ['an empty data file', ['train', '--data', file('empty.txt', '\n\n')], /MG042: /],
  [
    'unwritable output path',
    ['train', '--steps', '1', '--out', join(dir, 'nope', 'm.safetensors')],
    /MG040: .*does not exist/,
  ],
  ['a directory as --out', ['train', '--steps', '1', '--out', dir], /MG040: .*is a directory/],
  ['unknown command', ['tarin'], /MG000: unknown command 'tarin' \(Did you mean train\?\)/],
  [
    'unknown flag',
    ['explain', '--atention', 'mar'],
    /MG000: unknown option '--atention' \(Did you mean --attention\?\)/,
  ],
  ['unknown family', ['explain', '--kernel', 'lamma'], /MG014: .*did you mean "llama"/],
  ['unknown example', ['example', 'explain'], /MG017: .*did you mean "explain_attention"/],
  ['unknown error code', ['explain', 'MG999'], /MG006: /],
];

describe.each([
  // eval reads checkpoints through the strict microgpt loader (inspect reads any model file; see test/cli/model-files.test.ts).
  [
    'checkpoints',
    checkpoints.map(
      ([what, path, message]) => [what, ['eval', '--model', path], message] as [string, string[], RegExp],
    ),
  ],
  ['contracts and config.json', contracts],
  ['text and arguments', args],
])('bad %s: one line on stderr with a code, nothing on stdout, exit 2', (_, cases) => {
  it.each(cases)('%s', async (_what, argv, message) => {
    const r = await runCli(argv);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^microgpt: error MG\d{3}: /);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).not.toMatch(/\x1b/);
  });
});

describe('error codes are documented', () => {
  it('every code in the source has an entry that `microgpt explain CODE` prints', async () => {
    const { ERROR_CODES } = await import('../../src/error-codes.js');
    const { execSync } = await import('node:child_process');
    const used = new Set(
      execSync(`grep -rhoE "'MG[0-9]{3}'" ${join(ROOT, 'src')}`, { encoding: 'utf8' }).match(/MG\d{3}/g),
    );
    for (const code of used) expect(ERROR_CODES[code], code).toBeDefined();
    const r = await runCli(['explain', 'MG060']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/MG060: weights out of range[\s\S]*Fix: /);
    expect((await runCli(['explain', '--errors'])).stdout.match(/^ {2}MG\d{3}/gm)!.length).toBe(
      Object.keys(ERROR_CODES).length,
    );
  });
});
