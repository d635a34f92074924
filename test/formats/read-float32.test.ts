import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensorsHeader } from '../../src/formats/index.js';
import { readFloat32, streamValues } from '../../src/formats/values.js';
import { safetensorsHeader } from '../helpers/model-files.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-f32-'));

/** Every bit pattern a 16-bit float can take, and a spread of F32/F64 values. */
function file(dtype: string, n: number): string {
  const { head, dataBytes } = safetensorsHeader([{ name: 't', shape: [n], dtype }]);
  const data = Buffer.alloc(dataBytes);
  for (let i = 0; i < n; i++) {
    if (dtype === 'F16' || dtype === 'BF16') data.writeUInt16LE(i & 0xffff, 2 * i);
    else if (dtype === 'F32') data.writeFloatLE(Math.fround(Math.sin(i) * 10 ** ((i % 20) - 10)), 4 * i);
    else data.writeDoubleLE(Math.sin(i) * 10 ** ((i % 20) - 10), 8 * i);
  }
  const path = join(dir, `${dtype}.safetensors`);
  writeFileSync(path, Buffer.concat([head, data]));
  return path;
}

describe('readFloat32: fast paths agree with the general decoder', () => {
  for (const dtype of ['F32', 'BF16', 'F16', 'F64']) {
    it(`${dtype}: every value equals the streamed decoding rounded to float32 (NaN stays NaN)`, () => {
      const n = dtype === 'F32' || dtype === 'F64' ? 5000 : 65536;
      const t = readSafetensorsHeader(file(dtype, n)).tensors[0]!;
      const { values, read } = readFloat32(t);
      expect(read).toBe(n);
      const want: number[] = [];
      streamValues(t, (v, count) => want.push(...Array.from(v.subarray(0, count), Math.fround)));
      for (let i = 0; i < n; i++)
        expect(Object.is(values[i], want[i]) || (isNaN(values[i]!) && isNaN(want[i]!))).toBe(true);
    });
  }
});
