"""PyTorch reference for docs/benchmarks.md: the 1B-shaped llama of CudaBenchmark (dim 2048, 16 layers,
32 heads, 8 KV heads, FFN 8192, vocab 32000) in bf16, eager, greedy, with a contiguous KV cache.
Prints markdown rows: the W1-shaped shared-prefix workload of EngineBenchmark (8 groups x 32 prompts,
512-token prefix, 32-token suffix, 128 greedy output tokens, all 256 sequences batched) with the prefix
computed once per group (its KV copied to the group's sequences) and without; then single-stream and
lockstep decode (16-token prompts, 32 timed steps) and a 512-token prefill.
Usage: python3 gpu-bench-torch.py"""
import time
import torch
import torch.nn.functional as F

D, L, H, KV, FF, V = 2048, 16, 32, 8, 8192, 32000
HD, DEV, DT = D // H, "cuda", torch.bfloat16
torch.manual_seed(0)


def w(rows, cols):  # uniform with std 1/sqrt(cols), as SyntheticModel
    return ((torch.rand(rows, cols, device=DEV) * 2 - 1) * (3 / cols) ** 0.5).to(DT)


layers = [dict(q=w(D, D), k=w(KV * HD, D), v=w(KV * HD, D), o=w(D, D), g=w(FF, D), u=w(FF, D), d=w(D, FF))
          for _ in range(L)]
emb, out = w(V, D) * D ** 0.5, w(V, D)
inv_freq = 10000.0 ** (-torch.arange(0, HD, 2, device=DEV, dtype=torch.float32) / HD)


def rms(x):
    return (x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + 1e-5)).to(DT)


def rope(x, pos):  # x (B, heads, T, HD), adjacent pairs as llama.cpp's normal rope
    ang = pos[:, None].float() * inv_freq[None]
    c, s = ang.cos().to(DT), ang.sin().to(DT)
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack([x0 * c - x1 * s, x0 * s + x1 * c], -1).flatten(-2)


def step(tok, pos0, kc, vc):  # tok (B, T) -> logits of each sequence's last token (B, V)
    b, t = tok.shape
    x = emb[tok]
    pos = torch.arange(pos0, pos0 + t, device=DEV)
    for i, l in enumerate(layers):
        h = rms(x)
        q = rope((h @ l["q"].T).view(b, t, H, HD).transpose(1, 2), pos)
        kc[i][:, :, pos0:pos0 + t] = rope((h @ l["k"].T).view(b, t, KV, HD).transpose(1, 2), pos)
        vc[i][:, :, pos0:pos0 + t] = (h @ l["v"].T).view(b, t, KV, HD).transpose(1, 2)
        a = F.scaled_dot_product_attention(q, kc[i][:, :, :pos0 + t], vc[i][:, :, :pos0 + t],
                                           attn_mask=causal(t, pos0) if t > 1 and pos0 > 0 else None,
                                           is_causal=t > 1 and pos0 == 0, enable_gqa=True)
        x = x + a.transpose(1, 2).reshape(b, t, D) @ l["o"].T
        h = rms(x)
        x = x + (F.silu(h @ l["g"].T) * (h @ l["u"].T)) @ l["d"].T
    return rms(x[:, -1]) @ out.T


def causal(t, pos0):  # query i (position pos0 + i) sees keys 0..pos0 + i
    return torch.ones(t, pos0 + t, device=DEV, dtype=torch.bool).tril(pos0)


def cache(b, t):
    return [torch.zeros(b, KV, t, HD, device=DEV, dtype=DT) for _ in range(L)]


@torch.inference_mode()
def decode(b, prompt=16, steps=32):
    kc, vc = cache(b, prompt + steps), cache(b, prompt + steps)
    nxt = step(torch.randint(3, V, (b, prompt), device=DEV), 0, kc, vc).argmax(-1, keepdim=True)
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for s in range(steps):
        nxt = step(nxt, prompt + s, kc, vc).argmax(-1, keepdim=True)
    nxt.cpu()  # the sampled tokens reach the host, as in the Java benchmark
    return b * steps / (time.perf_counter() - t0)


@torch.inference_mode()
def prefill(t=512, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        kc, vc = cache(1, t), cache(1, t)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        step(torch.randint(3, V, (1, t), device=DEV), 0, kc, vc).cpu()
        best = min(best, time.perf_counter() - t0)
    return t / best


@torch.inference_mode()
def w1(prefix_cache, groups=8, prompts=32, prefix=512, suffix=32, output=128):
    """Generated tokens per second of wall time, prefill included (as the engine's metric)."""
    b = groups * prompts
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    kc, vc = cache(b, prefix + suffix + output), cache(b, prefix + suffix + output)
    pre = torch.randint(3, V, (groups, prefix), device=DEV)
    suf = torch.randint(3, V, (b, suffix), device=DEV)
    if prefix_cache:  # each group's prefix once, its KV copied to the group's sequences
        pk, pv = cache(groups, prefix), cache(groups, prefix)
        step(pre, 0, pk, pv)
        for i in range(L):
            kc[i][:, :, :prefix] = pk[i].repeat_interleave(prompts, 0)
            vc[i][:, :, :prefix] = pv[i].repeat_interleave(prompts, 0)
        nxt = step(suf, prefix, kc, vc).argmax(-1, keepdim=True)
    else:
        nxt = step(torch.cat([pre.repeat_interleave(prompts, 0), suf], 1), 0, kc, vc).argmax(-1, keepdim=True)
    for s in range(output - 1):
        nxt = step(nxt, prefix + suffix + s, kc, vc).argmax(-1, keepdim=True)
    nxt.cpu()
    return b * output / (time.perf_counter() - t0)


decode(1, steps=4)  # warm-up
print(f"torch {torch.__version__} on {torch.cuda.get_device_name()}")
for on in (True, False):
    w1(on)  # warm-up at the batch's shapes (the first call ran cold: allocator, kernels)
    print(f"| llama1b-shape bf16 | pytorch eager | W1 shape, prefix computed {'once per group' if on else 'per sequence'}"
          f" | 256 | {w1(on):.1f} | generated tokens/s, prefill included |")
print(f"| llama1b-shape bf16 | pytorch eager | decode, 1 sequence | 1 | {decode(1, steps=64):.1f} | |")
for b in (64, 256):
    print(f"| llama1b-shape bf16 | pytorch eager | decode, lockstep | {b} | {decode(b):.1f} | |")
print(f"| llama1b-shape bf16 | pytorch eager | prefill 512 tokens | 1 | {prefill():.1f} | |")
