"""PyTorch reference figures for `npm run bench` (bench/compute.ts runs this with
/usr/bin/python3, once with OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(1),
once with PyTorch's default threads). Prints one JSON object on stdout.

Measures: the matrix products [64x768]·[768x3072] and [64x768]·[768x50257]
(float32, torch.nn.functional.linear, weights stored [out, in] as in microgpt),
and a GPT-2-124M-shaped forward on 64 tokens (random weights; 12 layers,
768 hidden, 12 heads, 3072 MLP, 50257 vocabulary, tied head, logits for every
position), each the fastest of several runs after a warm-up.
"""
import json
import math
import os
import sys
import time


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


def main():
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
