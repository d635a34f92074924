import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { gguf as hfGguf, GGMLFileQuantizationType, GGMLQuantizationType } from '@huggingface/gguf';
import { describe, expect, it } from 'vitest';
import { MicrogptError } from '../../src/errors.js';
import {
  bitsPerWeight,
  GGML_TYPES,
  ggmlType,
  ggmlTypeByName,
  LLAMA_FILE_TYPES,
  openModelFiles,
  readGgufHeader,
  readSafetensorsHeader,
} from '../../src/formats/index.js';
import {
  CONFIGS,
  ggufBytes,
  gpt2Tensors,
  llama2Q4KMGguf,
  LLAMA2_7B,
  llamaLikeTensors,
  safetensorsHeader,
  writeModelDir,
  writeSparseGguf,
  writeSparseSafetensors,
} from '../helpers/model-files.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-formats-'));
const at = (name: string) => join(dir, name);

describe('safetensors headers', () => {
  it('reads a 548 MB GPT-2 layout from its header alone: names, dtypes, shapes, offsets', () => {
    const path = at('gpt2.safetensors');
    const data = writeSparseSafetensors(path, gpt2Tensors(), { format: 'pt' });
    const h = readSafetensorsHeader(path);
    expect(h.fileSize).toBe(h.dataStart + data);
    expect(h.tensors).toHaveLength(12 * 13 + 4);
    expect(h.metadata.get('format')).toBe('pt');
    expect(h.problems).toEqual([]);
    const wte = h.tensors.find((t) => t.name === 'wte.weight')!;
    expect([wte.shape, wte.dtype, wte.elements, wte.bytes, wte.offset]).toEqual([
      [50257, 768],
      'F32',
      50257 * 768,
      50257 * 768 * 4,
      h.dataStart,
    ]);
    // Consecutive tensors tile the data section.
    const sorted = [...h.tensors].sort((a, b) => a.offset - b.offset);
    sorted.slice(1).forEach((t, i) => expect(t.offset).toBe(sorted[i].offset + sorted[i].bytes));
  });

  it('collects per-entry defects as problems naming the tensor: overlap, hole, bounds, dtype, size', () => {
    const { head } = safetensorsHeader([{ name: 'a', shape: [4], dtype: 'F32' }]);
    const mk = (header: object, dataBytes: number) => {
      let json = JSON.stringify(header);
      json += ' '.repeat((8 - (json.length % 8)) % 8);
      const b = Buffer.alloc(8 + json.length + dataBytes);
      b.writeBigUInt64LE(BigInt(json.length));
      b.write(json, 8);
      const p = at(`bad-${Math.random()}.safetensors`);
      writeFileSync(p, b);
      return readSafetensorsHeader(p)
        .problems.map((x) => `${x.where}: ${x.message}`)
        .join('\n');
    };
    expect(head.length).toBeGreaterThan(8);
    expect(
      mk(
        {
          a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
          b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
        },
        24,
      ),
    ).toMatch(/tensor "b": bytes 8..24 overlap tensor "a"/);
    expect(
      mk(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [16, 24] },
        },
        24,
      ),
    ).toMatch(/bytes 8..16 belong to no tensor/);
    expect(mk({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8)).toMatch(
      /tensor "a": data_offsets \[0, 16\] are outside the data section \(8 bytes\)/,
    );
    expect(mk({ a: { dtype: 'Q4', shape: [4], data_offsets: [0, 16] } }, 16)).toMatch(
      /dtype "Q4" is not a safetensors dtype/,
    );
    expect(mk({ a: { dtype: 'F16', shape: [4], data_offsets: [0, 16] } }, 16)).toMatch(
      /needs 8 bytes but data_offsets span 16/,
    );
    expect(mk({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 12)).toMatch(
      /bytes 4..12 belong to no tensor \(file length ≠ header \+ data/,
    );
  });

  it('refuses what cannot be a header: short file, lying length, not JSON', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from([1, 2, 3]), /truncated: 3 bytes/],
      [Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), Buffer.from('{}')]), /exceeds the 104857600-byte limit/],
      [
        Buffer.concat([Buffer.from([100, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]),
        /header length 100 runs past the end of the file \(10 bytes\)/,
      ],
      [Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{x')]), /not valid JSON/],
      [Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('[]')]), /not a JSON object/],
    ];
    for (const [bytes, msg] of cases) {
      const p = at(`x-${Math.random()}.safetensors`);
      writeFileSync(p, bytes);
      expect(() => readSafetensorsHeader(p)).toThrow(msg);
    }
  });
});

describe('GGUF headers, checked against @huggingface/gguf (an independent reader)', () => {
  const path = at('llama-2-7b.Q4_K_M.gguf');
  llama2Q4KMGguf(path);

  it('a 4 GB Llama-2-7B Q4_K_M layout: same tensors, shapes, types, offsets and metadata as the reference reader', async () => {
    const ours = readGgufHeader(path);
    const ref = await hfGguf(path, { allowLocalFile: true, computeParametersCount: true });
    expect(ours.version).toBe(ref.metadata.version);
    expect(ours.dataStart).toBe(ref.tensorDataOffset === undefined ? -1 : Number(ref.tensorDataOffset));
    expect(ours.tensors.map((t) => t.name)).toEqual(ref.tensorInfos.map((t) => t.name));
    const byName = new Map(ours.tensors.map((x) => [x.name, x]));
    ref.tensorInfos.forEach((t) => {
      const x = byName.get(t.name)!;
      // GGUF stores dimensions innermost first; ours are outermost first, with the ggml type by name.
      expect([...x.shape].reverse()).toEqual(t.shape.map(Number));
      expect(ggmlTypeByName(x.dtype)!.id).toBe(t.dtype);
      expect(x.offset).toBe(ours.dataStart + Number(t.offset));
    });
    expect(ours.tensors.reduce((s, t) => s + t.elements, 0)).toBe(ref.parameterCount);
    for (const key of [
      'general.architecture',
      'llama.block_count',
      'llama.embedding_length',
      'general.file_type',
      'llama.attention.head_count_kv',
    ]) {
      expect(ours.metadata.get(key)!.value, key).toBe(ref.metadata[key as keyof typeof ref.metadata]);
    }
    // The token list is walked but not kept: its length and first elements only.
    const tokens = ours.metadata.get('tokenizer.ggml.tokens')!.value as {
      length: number;
      values: unknown[];
      complete: boolean;
    };
    expect([tokens.length, tokens.values, tokens.complete]).toEqual([
      ((ref.metadata as Record<string, unknown>)['tokenizer.ggml.tokens'] as string[]).length,
      ['<unk>', '<s>', '</s>'],
      false,
    ]);
    expect(ours.problems).toEqual([]);
  });

  it('with fullArrays every element is kept', () => {
    const tokens = readGgufHeader(path, { fullArrays: true }).metadata.get('tokenizer.ggml.tokens')!.value as {
      values: string[];
    };
    expect(tokens.values).toHaveLength(32000);
    expect(tokens.values[31999]).toBe('tok31999');
  });

  it('ggml type ids and names agree with the reference; block sizes with the ggml byte counts', () => {
    for (const t of GGML_TYPES.filter((x) => !x.removed))
      expect(GGMLQuantizationType[t.id], `type ${t.id}`).toBe(t.name);
    // Bytes per block from ggml-common.h's static asserts, by hand.
    const known: Array<[string, number, number]> = [
      ['Q4_0', 32, 18],
      ['Q4_1', 32, 20],
      ['Q5_0', 32, 22],
      ['Q5_1', 32, 24],
      ['Q8_0', 32, 34],
      ['Q2_K', 256, 84],
      ['Q3_K', 256, 110],
      ['Q4_K', 256, 144],
      ['Q5_K', 256, 176],
      ['Q6_K', 256, 210],
      ['Q8_K', 256, 292],
      ['IQ4_XS', 256, 136],
      ['IQ2_XXS', 256, 66],
      ['BF16', 1, 2],
    ];
    for (const [name, block, bytes] of known) {
      const t = GGML_TYPES.find((x) => x.name === name)!;
      expect([t.blockSize, t.typeSize], name).toEqual([block, bytes]);
    }
    expect(bitsPerWeight(ggmlType(12)!)).toBe(4.5);
    expect(bitsPerWeight(ggmlType(14)!)).toBe(6.5625);
  });

  it('general.file_type names agree with the reference (MOSTLY_Q4_K_M = 15)', () => {
    expect(LLAMA_FILE_TYPES.get(15)).toBe('MOSTLY_Q4_K_M');
    for (const [id, name] of LLAMA_FILE_TYPES)
      if (!name.includes('removed'))
        expect(`MOSTLY_${GGMLFileQuantizationType[id]}`.replace('MOSTLY_F32', 'ALL_F32'), `file type ${id}`).toBe(name);
  });

  it('collects bad tensors as problems: unknown type, misalignment, overlap, past the end', () => {
    const p = at('bad.gguf');
    const { head } = ggufBytes(
      [['general.architecture', 'string', 'llama']],
      [
        { name: 'a', dims: [32], type: 0 },
        { name: 'b', dims: [32], type: 0 },
      ],
    );
    // Rewrite b's offset to overlap a and be misaligned, then keep the file short.
    const bOffsetAt = head.lastIndexOf(Buffer.from('b')) + 1 + 4 + 8 + 4;
    head.writeBigUInt64LE(8n, bOffsetAt);
    writeFileSync(p, Buffer.concat([head, Buffer.alloc(64)]));
    const text = readGgufHeader(p)
      .problems.map((x) => `${x.where}: ${x.message}`)
      .join('\n');
    expect(text).toMatch(/tensor "b": data offset 8 is not a multiple of the alignment 32/);
    expect(text).toMatch(/tensor "b": data at 8 overlaps "a"/);
  });

  it('tensor checks in file order, overlaps in data order: the same problems and records as a plain reference (fast-check, 300 layouts)', () => {
    // Types: F32, F16, Q8_0 (blocks of 32), Q4_2 (removed), 77 (not a ggml type).
    const SIZES = new Map([
      [0, [1, 4]],
      [1, [1, 2]],
      [8, [32, 34]],
      [4, [32, 18]],
    ]);
    const layout = fc.record({
      tensors: fc.array(
        fc.record({
          name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
          dims: fc.array(fc.constantFrom(1, 2, 16, 32, 64), { minLength: 1, maxLength: 3 }),
          type: fc.constantFrom(0, 0, 1, 8, 4, 77),
          offset: fc.constantFrom(0, 0, 32, 64, 96, 128, 160, 256, 8),
        }),
        { maxLength: 8 },
      ),
      data: fc.constantFrom(0, 64, 256, 512),
    });
    const gguf = (tensors: Array<{ name: string; dims: number[]; type: number; offset: number }>, data: number) => {
      const parts: Buffer[] = [];
      const u32 = (v: number) => parts.push(Buffer.from(new Uint32Array([v]).buffer));
      const u64 = (v: number) => parts.push(Buffer.from(new BigUint64Array([BigInt(v)]).buffer));
      parts.push(Buffer.from('GGUF', 'latin1'));
      u32(3);
      u64(tensors.length);
      u64(0);
      for (const t of tensors) {
        u64(t.name.length);
        parts.push(Buffer.from(t.name));
        u32(t.dims.length);
        t.dims.forEach(u64);
        u32(t.type);
        u64(t.offset);
      }
      const head = Buffer.concat(parts);
      return Buffer.concat([head, Buffer.alloc((32 - (head.length % 32)) % 32), Buffer.alloc(data)]);
    };
    /** The rules as the format states them, written plainly. */
    const reference = (
      tensors: Array<{ name: string; dims: number[]; type: number; offset: number }>,
      data: number,
    ) => {
      const problems: string[] = [];
      const kept: Array<{ name: string; shape: number[]; rel: number; bytes: number }> = [];
      const seen = new Set<string>();
      for (const t of tensors) {
        const bad = (m: string) => problems.push(`tensor "${t.name}": ${m}`);
        if (seen.has(t.name)) {
          bad('appears twice in the tensor infos');
          continue;
        }
        seen.add(t.name);
        const size = SIZES.get(t.type);
        if (!size) {
          bad(`ggml type ${t.type} is not one ggml defines`);
          continue;
        }
        if (t.type === 4) bad('ggml type Q4_2 was removed from ggml; llama.cpp no longer loads it');
        const name = ggmlType(t.type)!.name;
        if (t.dims[0]! % size[0]! !== 0)
          bad(`first dimension ${t.dims[0]} is not a multiple of ${name}'s block size ${size[0]}`);
        const elements = t.dims.reduce((x, y) => x * y, 1);
        const bytes = Math.ceil(elements / size[0]!) * size[1]!;
        if (t.offset % 32) bad(`data offset ${t.offset} is not a multiple of the alignment 32`);
        if (t.offset + bytes > data)
          bad(`data [${t.offset}, ${t.offset + bytes}) runs past the end of the data section (${data} bytes)`);
        kept.push({ name: t.name, shape: [...t.dims].reverse(), rel: t.offset, bytes });
      }
      const byData = kept.map((k, i) => ({ ...k, i })).sort((x, y) => x.rel - y.rel || x.i - y.i);
      byData.forEach((k, j) => {
        const p = byData[j - 1];
        if (p && k.rel < p.rel + p.bytes)
          problems.push(`tensor "${k.name}": data at ${k.rel} overlaps "${p.name}" (${p.rel}..${p.rel + p.bytes})`);
      });
      const last = byData.at(-1);
      const end = last ? Math.ceil((last.rel + last.bytes) / 32) * 32 : 0;
      if (last && data > end)
        problems.push(`data section: ${data - end} bytes after the last tensor belong to no tensor`);
      return { problems, tensors: kept.map((k) => ({ name: k.name, shape: k.shape, rel: k.rel })) };
    };
    let unsorted = 0;
    fc.assert(
      fc.property(layout, ({ tensors, data }) => {
        const p = at('layout.gguf');
        writeFileSync(p, gguf(tensors, data));
        const h = readGgufHeader(p);
        const want = reference(tensors, data);
        expect(h.problems.map((x) => `${x.where}: ${x.message}`)).toEqual(want.problems);
        expect(h.tensors.map((t) => ({ name: t.name, shape: t.shape, rel: t.offset - h.dataStart }))).toEqual(
          want.tensors,
        );
        if (want.tensors.some((t, i) => i > 0 && t.rel < want.tensors[i - 1]!.rel)) unsorted++;
      }),
      { numRuns: 300, seed: 19 },
    );
    // Files whose data is not in file order are among the cases (the reader sorts only those).
    expect(unsorted).toBeGreaterThan(30);
  });

  it('refuses lying counts before allocating: a tensor count the file cannot hold, a string longer than the file', () => {
    const p = at('lying.gguf');
    const b = Buffer.alloc(24);
    b.write('GGUF', 0, 'latin1');
    b.writeUInt32LE(3, 4);
    b.writeBigUInt64LE(1n << 40n, 8);
    writeFileSync(p, b);
    expect(() => readGgufHeader(p)).toThrow(/claims 1099511627776 tensors, more than the file/);
    const { head } = ggufBytes([['general.name', 'string', 'x']], []);
    head.writeBigUInt64LE(1n << 30n, 24); // the key's length
    writeFileSync(p, head);
    expect(() => readGgufHeader(p)).toThrow(/truncated|claims/);
  });

  it('GGUF v1 and unknown versions are refused with the version named', () => {
    const p = at('v1.gguf');
    const b = Buffer.alloc(24);
    b.write('GGUF', 0, 'latin1');
    b.writeUInt32LE(1, 4);
    writeFileSync(p, b);
    expect(() => readGgufHeader(p)).toThrow(/GGUF version 1/);
    b.writeUInt32LE(9, 4);
    writeFileSync(p, b);
    expect(() => readGgufHeader(p)).toThrow(/GGUF version 9 is not one this tool reads/);
  });
});

describe('model folders and shards', () => {
  it("a sharded 13 GB Llama-2-7B folder is read from the index and each shard's header", () => {
    const d = at('llama2');
    writeModelDir(d, CONFIGS['llama-2-7b'], llamaLikeTensors(LLAMA2_7B), 3);
    const f = openModelFiles(d);
    expect(f.files).toHaveLength(3);
    expect(f.index!.shards).toHaveLength(3);
    expect(f.problems).toEqual([]);
    expect(f.files.reduce((s, x) => s + x.bytes, 0)).toBeGreaterThan(13e9);
    expect(statSync(f.files[0].path).blocks * 512).toBeLessThan(1e6);
  });

  it('a missing shard is named (an error for inspect, a problem for validate); a tensor in two shards is a problem', () => {
    const d = at('llama2-missing');
    writeModelDir(d, CONFIGS['llama-2-7b'], llamaLikeTensors({ ...LLAMA2_7B, layers: 2 }), 2);
    const index = JSON.parse(readFileSync(join(d, 'model.safetensors.index.json'), 'utf8'));
    index.weight_map['extra.weight'] = 'model-00009-of-00009.safetensors';
    writeFileSync(join(d, 'model.safetensors.index.json'), JSON.stringify(index));
    expect(() => openModelFiles(d)).toThrow(/shard "model-00009-of-00009.safetensors" is missing/);
    const problems = openModelFiles(d, { validating: true }).problems.map((p) => `${p.where}: ${p.message}`);
    expect(problems.join('\n')).toMatch(/shard "model-00009-of-00009.safetensors": is missing/);
    // The same tensor written into both shards.
    const d2 = at('dup');
    writeModelDir(
      d2,
      null,
      [
        { name: 'a', shape: [2], dtype: 'F32' },
        { name: 'b', shape: [2], dtype: 'F32' },
      ],
      2,
    );
    writeSparseSafetensors(join(d2, 'model-00002-of-00002.safetensors'), [
      { name: 'b', shape: [2], dtype: 'F32' },
      { name: 'a', shape: [2], dtype: 'F32' },
    ]);
    expect(
      openModelFiles(d2)
        .problems.map((p) => p.message)
        .join('\n'),
    ).toMatch(/is in two shards: model-00001-of-00002.safetensors and model-00002-of-00002.safetensors/);
  });

  it("Hugging Face's rule: model.safetensors or the index's shards are the model; other weights files are named, not read", () => {
    const T = (name: string) => [{ name, shape: [2], dtype: 'F32' as const }];
    // model.safetensors beside a cache and a GGUF: the model is model.safetensors alone.
    const single = at('hf-single');
    writeModelDir(single, null, T('w'));
    writeSparseSafetensors(join(single, 'acts.safetensors'), T('hook_embed'), { format: 'microgpt-cache' });
    writeSparseGguf(join(single, 'other.gguf'), [['general.architecture', 'string', 'llama']], []);
    const f = openModelFiles(single);
    expect([f.files.map((x) => x.path), f.tensors.map((t) => t.name), f.problems]).toEqual([
      [join(single, 'model.safetensors')],
      ['w'],
      [],
    ]);
    expect(f.ignoredFiles).toEqual(['acts.safetensors', 'other.gguf']);
    // An index: its shards are the model, a stray .safetensors beside them is not.
    const sharded = at('hf-sharded');
    writeModelDir(sharded, null, [...T('a'), ...T('b')], 2);
    writeSparseSafetensors(join(sharded, 'acts.safetensors'), T('hook_embed'));
    const g = openModelFiles(sharded);
    expect([g.files.length, g.tensors.map((t) => t.name).sort(), g.problems, g.ignoredFiles]).toEqual([
      2,
      ['a', 'b'],
      [],
      ['acts.safetensors'],
    ]);
    // Neither: one arbitrary .safetensors file is the model, as before; several are read as one, with a problem.
    const lone = at('hf-lone');
    mkdirSync(lone);
    writeSparseSafetensors(join(lone, 'weights.safetensors'), T('w'));
    const h = openModelFiles(lone);
    expect([h.tensors.map((t) => t.name), h.problems, h.ignoredFiles]).toEqual([['w'], [], []]);
    writeSparseSafetensors(join(lone, 'acts.safetensors'), T('hook_embed'));
    const two = openModelFiles(lone);
    expect(two.tensors.map((t) => t.name).sort()).toEqual(['hook_embed', 'w']);
    expect(two.problems.map((p) => p.message)).toEqual([
      '2 .safetensors files and no *.safetensors.index.json; read them all as one model',
    ]);
  });

  it('a shard name with a path in it is refused', () => {
    const d = at('escape');
    writeModelDir(d, null, [{ name: 'a', shape: [2], dtype: 'F32' }], 1);
    writeFileSync(
      join(d, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { a: '../model.safetensors' } }),
    );
    // Named as the input, the index is read even beside a model.safetensors (which a folder would prefer).
    expect(() => openModelFiles(join(d, 'model.safetensors.index.json'))).toThrow(
      /is not a plain file name beside the index/,
    );
  });

  it('tells formats apart by their first bytes and says what a stranger looks like', () => {
    const p = at('weights.bin');
    writeFileSync(p, Buffer.from([0x80, 0x02, 0x63, 0x6f]));
    expect(() => openModelFiles(p)).toThrow(/neither safetensors nor GGUF \(first bytes 80 02 63 6f/);
    const g = at('renamed.safetensors');
    writeSparseGguf(g, [['general.architecture', 'string', 'llama']], []);
    expect(openModelFiles(g).format).toBe('gguf');
  });

  it('every failure is a MicrogptError with a code', () => {
    try {
      openModelFiles(at('nope'));
    } catch (e) {
      expect(e).toBeInstanceOf(MicrogptError);
      expect((e as MicrogptError).code).toBe('MG061');
    }
  });
});
