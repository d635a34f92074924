"""PyTorch reference figures for `npm run bench` (bench/compute.ts and
bench/commands.ts run this with /usr/bin/python3, with OPENBLAS_NUM_THREADS=1
and torch.set_num_threads(1) for one thread, or PyTorch's default threads).
Prints one JSON object on stdout.

  torch_reference.py                 the matrix products [64x768]·[768x3072] and
      [64x768]·[768x50257] (float32, torch.nn.functional.linear, weights stored
      [out, in] as in microgpt) and a GPT-2-124M-shaped forward on 64 tokens
      (random weights; logits for every position), each the fastest of several
      runs after a warm-up.
  torch_reference.py explain DIR IDS the whole of what `microgpt explain
      --attention --ids IDS --model DIR` does, as a script would: import torch,
      load DIR's model.safetensors (GPT-2 layout, memory-mapped as the
      safetensors library does), one forward keeping every head's pattern.
      The bench times the whole process.
  torch_reference.py forward DIR IDS the same forward on DIR's weights (logits of
      every position), the fastest of several runs after a warm-up.
  torch_reference.py patch DIR CLEAN CORRUPT TARGET   activation patching as a
      TransformerLens user writes it: the clean and corrupt runs cached, then
      one full re-run of the corrupted input per patch (every head output at
      every position, every residual stream position entering each layer and
      leaving the last), logits of every position each time; prints the loop's
      seconds and the restored shares.
"""
import json
import math
import os
import struct
import sys
import time
import warnings


def best_seconds(f, reps):
    """The fastest of `reps` runs after a warm-up: on a shared machine, the run least disturbed."""
    f()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def blas_library():
    """The BLAS shared library this process has mapped (Debian's torch uses the system libblas.so.3)."""
    try:
        with open("/proc/self/maps") as maps:
            libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
        return ", ".join(os.path.realpath(l) for l in libs) or "none found"
    except OSError:
        return "unknown"


def gpt2_forward(torch, T=64, C=768, L=12, H=12, F=3072, V=50257):
    g = torch.Generator().manual_seed(0)
    rnd = lambda *shape: torch.randn(*shape, generator=g) * 0.02
    wte, wpe = rnd(V, C), rnd(1024, C)
    layers = [
        dict(ln1=(torch.ones(C), torch.zeros(C)), qkv=(rnd(3 * C, C), torch.zeros(3 * C)),
             proj=(rnd(C, C), torch.zeros(C)), ln2=(torch.ones(C), torch.zeros(C)),
             fc=(rnd(F, C), torch.zeros(F)), out=(rnd(C, F), torch.zeros(C)))
        for _ in range(L)
    ]
    lnf = (torch.ones(C), torch.zeros(C))
    ids = torch.randint(0, V, (T,), generator=g)
    mask = torch.full((T, T), float("-inf")).triu(1)
    fn = torch.nn.functional
    d = C // H

    def run():
        with torch.no_grad():
            x = wte[ids] + wpe[:T]
            for l in layers:
                h = fn.layer_norm(x, (C,), *l["ln1"], 1e-5)
                q, k, v = fn.linear(h, *l["qkv"]).split(C, dim=1)
                q, k, v = (t.view(T, H, d).transpose(0, 1) for t in (q, k, v))
                att = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(d) + mask, dim=-1)
                a = (att @ v).transpose(0, 1).reshape(T, C)
                x = x + fn.linear(a, *l["proj"])
                h = fn.layer_norm(x, (C,), *l["ln2"], 1e-5)
                x = x + fn.linear(fn.gelu(fn.linear(h, *l["fc"]), approximate="tanh"), *l["out"])
            return fn.linear(fn.layer_norm(x, (C,), *lnf, 1e-5), wte)

    return run


def load_gpt2(torch, folder):
    """config.json and model.safetensors (GPT-2 names, no prefix), read into memory as
    safetensors.torch.load_file does (the safetensors package is not installed here)."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(folder, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = bytearray(os.fstat(f.fileno()).st_size - 8 - n)
        f.readinto(data)
    weights = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # frombuffer over a bytearray: writable, no copy
        raw = torch.frombuffer(data, dtype=torch.uint8)
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        dtype = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}[e["dtype"]]
        weights[name] = raw[a:b].view(dtype).reshape(e["shape"]).float()
    return config, weights


def gpt2_run(torch, config, w, ids, patch=None, cache=None):
    """GPT-2's forward (Conv1D weights [in, out]); `cache` keeps hook_z and hook_resid_pre per layer,
    `patch(kind, layer, tensor)` may replace them in place, as TransformerLens hooks do."""
    fn = torch.nn.functional
    C, H = config["n_embd"], config["n_head"]
    d, T = C // H, len(ids)
    mask = torch.full((T, T), float("-inf")).triu(1)
    x = w["wte.weight"][ids] + w["wpe.weight"][:T]
    patterns = []
    for l in range(config["n_layer"]):
        p = f"h.{l}."
        if patch:
            patch("resid_pre", l, x)
        if cache is not None:
            cache[("resid_pre", l)] = x.clone()
        h = fn.layer_norm(x, (C,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], 1e-5)
        q, k, v = torch.addmm(w[p + "attn.c_attn.bias"], h, w[p + "attn.c_attn.weight"]).split(C, dim=1)
        q, k, v = (t.view(T, H, d).transpose(0, 1) for t in (q, k, v))
        att = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(d) + mask, dim=-1)
        patterns.append(att)
        z = (att @ v).transpose(0, 1).reshape(T, H, d)
        if patch:
            patch("z", l, z)
        if cache is not None:
            cache[("z", l)] = z.clone()
        x = x + torch.addmm(w[p + "attn.c_proj.bias"], z.reshape(T, C), w[p + "attn.c_proj.weight"])
        h = fn.layer_norm(x, (C,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], 1e-5)
        u = fn.gelu(torch.addmm(w[p + "mlp.c_fc.bias"], h, w[p + "mlp.c_fc.weight"]), approximate="tanh")
        x = x + torch.addmm(w[p + "mlp.c_proj.bias"], u, w[p + "mlp.c_proj.weight"])
    if patch:
        patch("resid_post", config["n_layer"] - 1, x)
    if cache is not None:
        cache[("resid_post", config["n_layer"] - 1)] = x.clone()
    logits = fn.linear(fn.layer_norm(x, (C,), w["ln_f.weight"], w["ln_f.bias"], 1e-5), w["wte.weight"])
    return logits, patterns


def explain(folder, ids):
    import torch

    with torch.no_grad():
        config, w = load_gpt2(torch, folder)
        _, patterns = gpt2_run(torch, config, w, [int(i) for i in ids.split(",")])
    print(json.dumps({"layers": len(patterns), "heads": patterns[0].shape[0], "tokens": patterns[0].shape[1]}))


def folder_forward(folder, ids):
    import torch

    if os.environ.get("OPENBLAS_NUM_THREADS") == "1":
        torch.set_num_threads(1)
    with torch.no_grad():
        config, w = load_gpt2(torch, folder)
        ids = [int(i) for i in ids.split(",")]
        seconds = best_seconds(lambda: gpt2_run(torch, config, w, ids), 5)
    print(json.dumps({"seconds": seconds, "threads": torch.get_num_threads(),
                      "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "default"), "blas": blas_library()}))


def patch(folder, clean, corrupt, target):
    import torch

    with torch.no_grad():
        config, w = load_gpt2(torch, folder)
        clean, corrupt, target = [int(i) for i in clean.split(",")], [int(i) for i in corrupt.split(",")], int(target)
        L, H, T = config["n_layer"], config["n_head"], len(clean)
        t0 = time.perf_counter()
        cc, kc = {}, {}
        c_logit = gpt2_run(torch, config, w, clean, cache=cc)[0][-1, target].item()
        k_logit = gpt2_run(torch, config, w, corrupt, cache=kc)[0][-1, target].item()

        def restored(kind, layer, pos, head=None):
            def hook(k, l, t):
                if k == kind and l == layer:
                    src = cc[(kind, layer)]
                    if head is None:
                        t[pos] = src[pos]
                    else:
                        t[pos, head] = src[pos, head]

            logits = gpt2_run(torch, config, w, corrupt, patch=hook)[0]
            return (logits[-1, target].item() - k_logit) / (c_logit - k_logit)

        heads = [[[restored("z", l, p, h) for p in range(T)] for h in range(H)] for l in range(L)]
        resid = [[restored("resid_pre" if l < L else "resid_post", min(l, L - 1), p) for p in range(T)] for l in range(L + 1)]
        seconds = time.perf_counter() - t0
    print(json.dumps({"loopSeconds": seconds, "runs": 2 + L * H * T + (L + 1) * T, "threads": torch.get_num_threads(),
                      "cleanLogit": c_logit, "corruptLogit": k_logit, "heads": heads, "residual": resid}))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "explain":
        return explain(sys.argv[2], sys.argv[3])
    if len(sys.argv) > 1 and sys.argv[1] == "forward":
        return folder_forward(sys.argv[2], sys.argv[3])
    if len(sys.argv) > 1 and sys.argv[1] == "patch":
        return patch(*sys.argv[2:6])
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means: no reference
        print(json.dumps({"available": False, "reason": f"import torch failed: {e}"}))
        return
    one = os.environ.get("OPENBLAS_NUM_THREADS") == "1"
    if one:
        torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    result = {"available": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
              "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "default"), "matmul": []}
    for out in (3072, 50257):
        x, w = torch.randn(64, 768, generator=g), torch.randn(out, 768, generator=g)
        s = best_seconds(lambda: torch.nn.functional.linear(x, w), 15 if out < 10000 else 7)
        result["matmul"].append({"T": 64, "K": 768, "out": out, "seconds": s, "gflops": 2 * 64 * 768 * out / s / 1e9})
    forward = gpt2_forward(torch)
    result["gpt2ForwardSeconds"] = best_seconds(forward, 5)
    result["blas"] = blas_library()
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
