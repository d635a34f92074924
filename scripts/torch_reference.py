"""The float32 reference for scripts/torch-check.ts: GPT-NeoX, Phi-2, Phi-3 and Gemma forward
passes re-derived from transformers' modeling_gpt_neox, modeling_phi, modeling_phi3 and modeling_gemma
in torch ops (float32), compared with microgpt's logits. Exits 1 when they differ by
more than 1e-4."""
import json, struct, sys
import numpy as np
import torch

torch.set_grad_enabled(False)
F = torch.nn.functional


def load(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    out = {}
    for k, v in json.loads(b[8:8 + n]).items():
        if k == '__metadata__':
            continue
        s, e = v['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(b[8 + n + s:8 + n + e], dtype='<f4').copy()).reshape(v['shape'])
    return out


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope(q, k, T, rot, base):
    inv = 1.0 / (base ** (torch.arange(0, rot, 2, dtype=torch.int64).float() / rot))
    emb = torch.cat((torch.outer(torch.arange(T).float(), inv),) * 2, dim=-1)
    cos, sin = emb.cos()[None], emb.sin()[None]

    def turn(x):
        return torch.cat([x[..., :rot] * cos + rotate_half(x[..., :rot]) * sin, x[..., rot:]], dim=-1)

    return turn(q), turn(k)


def attend(q, k, v, D, window=None):
    g = q.shape[0] // k.shape[0]
    k, v = k.repeat_interleave(g, dim=0), v.repeat_interleave(g, dim=0)
    T = q.shape[1]
    i, j = torch.arange(T)[:, None], torch.arange(T)[None, :]
    mask = (j <= i) if window is None else (j <= i) & (j > i - window)
    p = torch.softmax(((q @ k.transpose(1, 2)) * D ** -0.5).masked_fill(~mask, float('-inf')), dim=-1)
    return (p @ v).transpose(0, 1).reshape(T, -1)


def neox(w, c, ids):
    C, H = c['hidden_size'], c['num_attention_heads']
    D, T = C // H, len(ids)
    ln = lambda x, p: F.layer_norm(x, (C,), w[p + '.weight'], w[p + '.bias'], c['layer_norm_eps'])
    lin = lambda x, p: F.linear(x, w[p + '.weight'], w.get(p + '.bias'))
    x = w['gpt_neox.embed_in.weight'][ids]
    for l in range(c['num_hidden_layers']):
        b = f'gpt_neox.layers.{l}.'
        qkv = lin(ln(x, b + 'input_layernorm'), b + 'attention.query_key_value').view(T, H, 3 * D).transpose(0, 1)
        q, k, v = qkv.chunk(3, dim=-1)
        q, k = rope(q, k, T, int(D * c['rotary_pct']), c['rotary_emb_base'])
        a = lin(attend(q, k, v, D), b + 'attention.dense')
        m = lin(F.gelu(lin(ln(x, b + 'post_attention_layernorm'), b + 'mlp.dense_h_to_4h')), b + 'mlp.dense_4h_to_h')
        x = m + a + x
    return lin(ln(x, 'gpt_neox.final_layer_norm'), 'embed_out')


def phi(w, c, ids):
    C, H = c['hidden_size'], c['num_attention_heads']
    D, T = C // H, len(ids)
    ln = lambda x, p: F.layer_norm(x, (C,), w[p + '.weight'], w[p + '.bias'], c['layer_norm_eps'])
    lin = lambda x, p: F.linear(x, w[p + '.weight'], w.get(p + '.bias'))
    x = w['model.embed_tokens.weight'][ids]
    for l in range(c['num_hidden_layers']):
        b = f'model.layers.{l}.'
        h = ln(x, b + 'input_layernorm')
        q, k, v = (lin(h, b + f'self_attn.{n}_proj').view(T, H, D).transpose(0, 1) for n in 'qkv')
        q, k = rope(q, k, T, int(D * c['partial_rotary_factor']), c.get('rope_theta', 10000.0))
        a = lin(attend(q, k, v, D), b + 'self_attn.dense')
        m = lin(F.gelu(lin(h, b + 'mlp.fc1'), approximate='tanh'), b + 'mlp.fc2')
        x = a + m + x
    return lin(ln(x, 'model.final_layernorm'), 'lm_head')


def rms(x, wt, eps, offset):
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return y * (1.0 + wt) if offset else wt * y


def llama_like(w, c, ids, gemma):
    C, H = c['hidden_size'], c['num_attention_heads']
    KV, D, eps, T = c.get('num_key_value_heads', H), c.get('head_dim', C // H), c['rms_norm_eps'], len(ids)
    lin = lambda x, p: F.linear(x, w[p + '.weight'])
    x = w['model.embed_tokens.weight'][ids]
    if gemma:
        x = x * torch.tensor(C ** 0.5, dtype=x.dtype)
    for l in range(c['num_hidden_layers']):
        b = f'model.layers.{l}.'
        h = rms(x, w[b + 'input_layernorm.weight'], eps, gemma)
        if gemma:
            q, k, v = (lin(h, b + f'self_attn.{n}_proj') for n in 'qkv')
        else:
            qkv, n = lin(h, b + 'self_attn.qkv_proj'), H * D
            q, k, v = qkv[..., :n], qkv[..., n:n + KV * D], qkv[..., n + KV * D:]
        q, k, v = (y.view(T, m, D).transpose(0, 1) for y, m in ((q, H), (k, KV), (v, KV)))
        q, k = rope(q, k, T, int(D * c.get('partial_rotary_factor', 1.0)), c.get('rope_theta', 10000.0))
        x = x + lin(attend(q, k, v, D, c.get('sliding_window')), b + 'self_attn.o_proj')
        h = rms(x, w[b + 'post_attention_layernorm.weight'], eps, gemma)
        if gemma:
            u = F.gelu(lin(h, b + 'mlp.gate_proj'), approximate='tanh') * lin(h, b + 'mlp.up_proj')
        else:
            gate, up = lin(h, b + 'mlp.gate_up_proj').chunk(2, dim=-1)
            u = up * F.silu(gate)
        x = x + lin(u, b + 'mlp.down_proj')
    head = w['model.embed_tokens.weight'] if gemma else w['lm_head.weight']
    return rms(x, w['model.norm.weight'], eps, gemma) @ head.T


root = sys.argv[1]
ours = json.load(open(f'{root}/ours.json'))
worst = 0.0
for family, got in ours.items():
    w, c = load(f'{root}/{family}/model.safetensors'), json.load(open(f'{root}/{family}/config.json'))
    ids = torch.tensor(got['ids'])
    ref = {'gptneox': neox, 'phi': phi}.get(family, lambda w, c, ids: llama_like(w, c, ids, family == 'gemma'))(w, c, ids)
    diff = (torch.tensor(got['logits']).view(ref.shape) - ref).abs().max().item()
    worst = max(worst, diff)
    print(f'{family}: logits {tuple(ref.shape)}, max |microgpt − torch| = {diff:.2e} (largest logit {ref.abs().max().item():.2f})')
sys.exit(1 if worst > 1e-4 else 0)
