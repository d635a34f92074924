import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchParts, parseTemplate } from '../../src/contracts/index.js';
import { checkpointBytes, checkpointFromBytes, Gpt, MICROGPT, Tokenizer } from '../../src/model/index.js';
import { expectOneLineError, ROOT, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-growth-'));
const opt = JSON.parse(readFileSync(join(ROOT, 'contracts', 'opt.json'), 'utf8'));
const contractDir = (name: string, c: object) => {
  const d = join(dir, name);
  mkdirSync(d);
  writeFileSync(
    join(d, 'c.json'),
    JSON.stringify({
      ...opt,
      $schema: undefined,
      aliases: [],
      architectures: [],
      model_type: name,
      family: name,
      ...c,
    }),
  );
  return d;
};

describe('what a file may claim is bounded, and the bound is said', () => {
  it('a contract with 65 sizes or 1,025 tensor templates is refused by the schema', async () => {
    const many = contractDir('manysizes', {
      sizes: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`s${i}`, opt.sizes['125m']])),
    });
    expectOneLineError(
      await runCli(['explain', '--kernel', 'manysizes', '--contracts', many, '-v']),
      /MG011: .*\/sizes: Expected object to have no more than 64 properties/,
    );
    const wide = contractDir('manytensors', {
      tensors: Array.from({ length: 1025 }, (_, i) => ({
        role: 'attn_q',
        name: `x${i}.weight`,
        shape: ['hidden', 'hidden'],
      })),
    });
    expectOneLineError(
      await runCli(['contracts', 'list', '--contracts', wide]),
      /MG011: .*\/tensors: Expected array length to be less or equal to 1024/,
    );
  });

  it('a checkpoint claiming 2,000 positions or 20,000 characters is refused', () => {
    const bytes = Buffer.from(checkpointBytes(Gpt.init(MICROGPT, 1), Tokenizer.default(), {}));
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.toString('utf8', 8, 8 + n));
    for (const [edit, message] of [
      [(c: Record<string, number>) => (c.block_size = 2000), /config\.block_size is 2000; at most 1024 positions/],
      [(c: Record<string, number>) => (c.vocab_size = 20001), /config\.vocab_size is 20001; at most 1025/],
    ] as const) {
      const h = structuredClone(header);
      const cfg = JSON.parse(h.__metadata__.config);
      edit(cfg);
      h.__metadata__.config = JSON.stringify(cfg);
      const body = Buffer.from(JSON.stringify(h));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(body.length));
      expect(() => checkpointFromBytes('x', Buffer.concat([len, body, bytes.subarray(8 + n)]))).toThrow(message);
    }
  });

  it('training data with 2,000 distinct characters is refused before training', async () => {
    const p = join(dir, 'wide.txt');
    writeFileSync(p, Array.from({ length: 2000 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('\n'));
    expectOneLineError(
      await runCli(['train', '--data', p, '--no-out']),
      /MG046: the data has 2000 distinct characters; .* at most 1024/,
    );
  });
});

describe('names are matched without backtracking', () => {
  it('a template of twenty {n} placeholders against forty digits: a single pass, no match', () => {
    const parts = parseTemplate('{n}'.repeat(20) + 'x');
    expect(parts).toHaveLength(21);
    expect(matchParts(parts, '1'.repeat(40) + 'x')).toBeNull();
    expect(matchParts(parseTemplate('layers.{n}.{e}.w'), 'layers.12.3.w')).toEqual({ n: 12, e: 3 });
  });
  it('through the CLI, the same contract answers at once', async () => {
    const d = contractDir('manyn', {
      tensors: [...opt.tensors, { role: 'attn_q', name: '{n}'.repeat(20) + 'x', shape: ['hidden'] }],
    });
    expectOneLineError(
      await runCli(['explain', '--tensor', '1'.repeat(40) + 'x', '--contracts', d, '--family', 'manyn']),
      /MG016: unknown tensor/,
    );
  });
});

describe('keys from files never reach prototype lookups', () => {
  for (const role of ['__proto__', 'constructor', 'toString']) {
    it(`a contract tensor role "${role}" is explained as a role of its own`, async () => {
      const d = contractDir(`role${role.replace(/_/g, 'u')}`.toLowerCase(), {
        tensors: [...opt.tensors, { role, name: 'odd.weight', shape: ['hidden'] }],
      });
      const family = `role${role.replace(/_/g, 'u')}`.toLowerCase();
      const r = await runCli(['explain', '--tensor', 'odd.weight', '--contracts', d, '--family', family]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(role);
    });
  }
});

describe('inputs that would print schema-invalid JSON are refused or handled', () => {
  const bytes = Buffer.from(checkpointBytes(Gpt.init(MICROGPT, 1), Tokenizer.default(), { training: { steps: 1 } }));
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + n));
  const rebuild = (h: object, data = bytes.subarray(8 + n)) => {
    const body = Buffer.from(JSON.stringify(h));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(body.length));
    return Buffer.concat([len, body, data]);
  };
  it('training metadata that is not an object', async () => {
    for (const t of ['3', '"x"', '[1]', 'null']) {
      const h = structuredClone(header);
      h.__metadata__.training = t;
      expect(() => checkpointFromBytes('x', rebuild(h))).toThrow(/metadata training is not a JSON object/);
    }
  });
  it('weights of ±3.4e38 (which overflow the loss to null)', () => {
    const data = Buffer.from(bytes.subarray(8 + n));
    data.writeFloatLE(3.4e38, 0);
    expect(() => checkpointFromBytes('x', rebuild(header, data))).toThrow(
      /tensor wte holds 3\.39\d*e\+38 at index 0; weights must be within ±10000/,
    );
  });
  it('sample --temperature 1e-320 picks the most likely token and prints valid JSON', async () => {
    const m = join(dir, 'm.safetensors');
    expect((await runCli(['train', '--steps', '3', '--out', m])).code).toBe(0);
    const r = await runCli(['sample', '--model', m, '--temperature', '1e-320', '-n', '2', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    for (const s of doc.samples[0].steps) expect(s.chosen.pT).toBe(1);
  });
  it('config.json values: strings, negative epsilon, zero RoPE base, heads that do not divide hidden', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ hidden_size: '4096' }, /hidden_size is "4096", not a number/],
      [{ rms_norm_eps: -1e-6 }, /rms_norm_eps = -0.000001 must be between 0 and 1/],
      [{ rope_theta: 0 }, /rope_theta = 0 must be greater than 0/],
      [
        { num_attention_heads: 30 },
        /num_attention_heads = 30 does not divide hidden_size = 4096, and there is no head_dim/,
      ],
      [{ head_dim: 0 }, /head_dim = 0 is not a usable size/],
      [{ num_hidden_layers: 2.5 }, /num_hidden_layers = 2.5 is not a usable size/],
    ];
    for (const [edit, message] of cases) {
      const p = join(dir, `cfg-${Math.random()}.json`);
      writeFileSync(
        p,
        JSON.stringify({
          model_type: 'llama',
          hidden_size: 4096,
          num_attention_heads: 32,
          num_hidden_layers: 2,
          ...edit,
        }),
      );
      expectOneLineError(await runCli(['explain', '--kernel', p, '-v']), new RegExp(`MG018: .*${message.source}`));
    }
  });
});

describe('checkpoint config keys', () => {
  it('are written in the Hugging Face / nanoGPT spelling, and both spellings load', () => {
    const bytes = Buffer.from(checkpointBytes(Gpt.init(MICROGPT, 1), Tokenizer.default(), {}));
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.toString('utf8', 8, 8 + n));
    const cfg = JSON.parse(header.__metadata__.config);
    expect(cfg).toEqual({
      vocab_size: 27,
      n_embd: 16,
      n_head: 4,
      n_kv_head: 4,
      n_layer: 1,
      block_size: 16,
      n_inner: 64,
      norm_eps: 1e-5,
      init_std: 0.08,
    });
    const camel = structuredClone(header);
    camel.__metadata__.config = JSON.stringify({
      vocabSize: 27,
      nEmbd: 16,
      nHead: 4,
      nLayer: 1,
      blockSize: 16,
      nHidden: 64,
      normEps: 1e-5,
      initStd: 0.08,
    });
    const body = Buffer.from(JSON.stringify(camel));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(body.length));
    const loaded = checkpointFromBytes('old', Buffer.concat([len, body, bytes.subarray(8 + n)]));
    expect(loaded.model.config).toMatchObject({ nEmbd: 16, nKvHead: 4, blockSize: 16 });
  });
});
