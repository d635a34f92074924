/**
 * An independent check of the float32 path against PyTorch: random GPT-NeoX,
 * Phi-2, Phi-3 and Gemma models in Hugging Face layout (partial rotary, GQA with a
 * sliding window, head_dim ≠ hidden/heads, √hidden not a whole number), run
 * here and by scripts/torch_reference.py, which re-derives each forward pass
 * from transformers' modeling files in torch ops. Needs a python with torch
 * (PYTHON, default /usr/bin/python3); not part of `npm test`.
 *
 *   npm run build && node dist/scripts/torch-check.js
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHfModel } from '../src/model/hf/load.js';
import { serialize } from '../src/model/safetensors.js';
import { Rng } from '../src/tensor/index.js';

const rng = new Rng(2024);
type Named = { name: string; shape: number[]; data: Float64Array };
const t = (name: string, shape: number[], norm = false): Named => ({
  name,
  shape,
  data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (norm ? 1 : 0) + rng.gauss(0, 0.3)),
});
const layers = (n: number, f: (b: string) => Named[], prefix: string) =>
  Array.from({ length: n }, (_, l) => f(`${prefix}${l}.`)).flat();

const CASES: Record<string, { config: Record<string, unknown>; tensors: () => Named[] }> = {
  gptneox: {
    config: {
      model_type: 'gpt_neox',
      hidden_size: 64,
      num_attention_heads: 4,
      num_hidden_layers: 2,
      intermediate_size: 96,
      vocab_size: 40,
      max_position_embeddings: 32,
      layer_norm_eps: 1e-5,
      rotary_pct: 0.25,
      rotary_emb_base: 10000,
      hidden_act: 'gelu',
      use_parallel_residual: true,
    },
    tensors: () => [
      t('gpt_neox.embed_in.weight', [40, 64]),
      ...layers(
        2,
        (b) => [
          t(`${b}input_layernorm.weight`, [64], true),
          t(`${b}input_layernorm.bias`, [64]),
          t(`${b}post_attention_layernorm.weight`, [64], true),
          t(`${b}post_attention_layernorm.bias`, [64]),
          t(`${b}attention.query_key_value.weight`, [192, 64]),
          t(`${b}attention.query_key_value.bias`, [192]),
          t(`${b}attention.dense.weight`, [64, 64]),
          t(`${b}attention.dense.bias`, [64]),
          t(`${b}mlp.dense_h_to_4h.weight`, [96, 64]),
          t(`${b}mlp.dense_h_to_4h.bias`, [96]),
          t(`${b}mlp.dense_4h_to_h.weight`, [64, 96]),
          t(`${b}mlp.dense_4h_to_h.bias`, [64]),
        ],
        'gpt_neox.layers.',
      ),
      t('gpt_neox.final_layer_norm.weight', [64], true),
      t('gpt_neox.final_layer_norm.bias', [64]),
      t('embed_out.weight', [40, 64]),
    ],
  },
  phi: {
    config: {
      model_type: 'phi',
      hidden_size: 40,
      num_attention_heads: 4,
      num_hidden_layers: 2,
      intermediate_size: 64,
      vocab_size: 40,
      max_position_embeddings: 32,
      layer_norm_eps: 1e-5,
      partial_rotary_factor: 0.4,
      rope_theta: 10000,
      hidden_act: 'gelu_new',
    },
    tensors: () => [
      t('model.embed_tokens.weight', [40, 40]),
      ...layers(
        2,
        (b) => [
          t(`${b}input_layernorm.weight`, [40], true),
          t(`${b}input_layernorm.bias`, [40]),
          ...['q', 'k', 'v'].flatMap((x) => [
            t(`${b}self_attn.${x}_proj.weight`, [40, 40]),
            t(`${b}self_attn.${x}_proj.bias`, [40]),
          ]),
          t(`${b}self_attn.dense.weight`, [40, 40]),
          t(`${b}self_attn.dense.bias`, [40]),
          t(`${b}mlp.fc1.weight`, [64, 40]),
          t(`${b}mlp.fc1.bias`, [64]),
          t(`${b}mlp.fc2.weight`, [40, 64]),
          t(`${b}mlp.fc2.bias`, [40]),
        ],
        'model.layers.',
      ),
      t('model.final_layernorm.weight', [40], true),
      t('model.final_layernorm.bias', [40]),
      t('lm_head.weight', [40, 40]),
      t('lm_head.bias', [40]),
    ],
  },
  phi3: {
    config: {
      model_type: 'phi3',
      hidden_size: 32,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      num_hidden_layers: 2,
      intermediate_size: 48,
      vocab_size: 40,
      max_position_embeddings: 32,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      partial_rotary_factor: 0.75,
      sliding_window: 5,
      hidden_act: 'silu',
    },
    tensors: () => [
      t('model.embed_tokens.weight', [40, 32]),
      ...layers(
        2,
        (b) => [
          t(`${b}input_layernorm.weight`, [32], true),
          t(`${b}self_attn.qkv_proj.weight`, [64, 32]),
          t(`${b}self_attn.o_proj.weight`, [32, 32]),
          t(`${b}post_attention_layernorm.weight`, [32], true),
          t(`${b}mlp.gate_up_proj.weight`, [96, 32]),
          t(`${b}mlp.down_proj.weight`, [32, 48]),
        ],
        'model.layers.',
      ),
      t('model.norm.weight', [32], true),
      t('lm_head.weight', [40, 32]),
    ],
  },
  gemma: {
    config: {
      model_type: 'gemma',
      hidden_size: 24,
      num_attention_heads: 3,
      num_key_value_heads: 1,
      head_dim: 10,
      num_hidden_layers: 2,
      intermediate_size: 40,
      vocab_size: 40,
      max_position_embeddings: 32,
      rms_norm_eps: 1e-6,
      rope_theta: 10000,
      hidden_act: 'gelu',
      hidden_activation: 'gelu_pytorch_tanh',
    },
    tensors: () => [
      t('model.embed_tokens.weight', [40, 24]),
      ...layers(
        2,
        (b) => [
          t(`${b}input_layernorm.weight`, [24]),
          t(`${b}self_attn.q_proj.weight`, [30, 24]),
          t(`${b}self_attn.k_proj.weight`, [10, 24]),
          t(`${b}self_attn.v_proj.weight`, [10, 24]),
          t(`${b}self_attn.o_proj.weight`, [24, 30]),
          t(`${b}post_attention_layernorm.weight`, [24]),
          t(`${b}mlp.gate_proj.weight`, [40, 24]),
          t(`${b}mlp.up_proj.weight`, [40, 24]),
          t(`${b}mlp.down_proj.weight`, [24, 40]),
        ],
        'model.layers.',
      ),
      t('model.norm.weight', [24]),
    ],
  },
};

const root = mkdtempSync(join(tmpdir(), 'microgpt-torch-'));
const ids = [3, 17, 5, 39, 0, 22, 8, 8, 31, 12, 1];
const ours: Record<string, { ids: number[]; logits: number[] }> = {};
for (const [family, c] of Object.entries(CASES)) {
  const dir = join(root, family);
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c.config));
  writeFileSync(join(dir, 'model.safetensors'), serialize(c.tensors(), { format: 'pt' }));
  ours[family] = { ids, logits: Array.from((await loadHfModel(dir)).run(ids).logits) };
}
writeFileSync(join(root, 'ours.json'), JSON.stringify(ours));
const script = join(import.meta.dirname, '..', '..', 'scripts', 'torch_reference.py');
process.stdout.write(execFileSync(process.env.PYTHON ?? '/usr/bin/python3', [script, root], { encoding: 'utf8' }));
