import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../src/model/index.js';
import { loadHfModel } from '../../src/model/hf/load.js';
import { Graph } from '../../src/tensor/index.js';
import { tinyNative, writeHfModel, type HfTestFamily } from '../helpers/hf-models.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-hf-'));
const tok = Tokenizer.default();

describe('the float32 inference path agrees with the native engine', () => {
  for (const family of ['gpt2', 'llama', 'mistral', 'qwen2'] as HfTestFamily[]) {
    it(`${family}: a tiny model written in Hugging Face layout gives the native logits (float32 precision)`, async () => {
      const native = await tinyNative(family, 11);
      const path = writeHfModel(join(dir, family), native, family);
      const hf = await loadHfModel(path);
      const ids = tok.encodePrompt('marianne');
      const want = native.forward(new Graph(false), ids).logits.data;
      const got = hf.model.forward(ids, hf.model.newCache(), { allLogits: true }).logits;
      expect(got.length).toBe(want.length);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      expect(worst).toBeLessThan(1e-4);
      // And the check can fail: another seed's native model does not match.
      const other = (await tinyNative(family, 12)).forward(new Graph(false), ids).logits.data;
      expect(Math.max(...Array.from(other, (v, i) => Math.abs(v - got[i]!)))).toBeGreaterThan(1e-2);
      // The text path: the tokenizer.json's post-processor prepends BOS, as microGPT does.
      expect(hf.tokenizer!.encode('mar')).toEqual(tok.encodePrompt('mar'));
    });
  }
});
