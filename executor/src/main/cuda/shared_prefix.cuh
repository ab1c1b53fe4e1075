// Shared-prefix (cascade) attention, the first half: sequences whose block tables start with the same
// physical KV blocks attend over those blocks together, so each shared K/V is read once per group of
// rows instead of once per row (as in Hydragen / FlashInfer's cascade attention). attention_merge
// (attention.cuh) then adds each row's own positions and normalizes.
//
// Group g (grid.y), KV head kh (grid.x) and split z (grid.z of S): groups[4g ..] = {tableStart, length,
// first, count}: the rows members[first .. first + count) all attend over positions 0 .. length - 1 of
// the block table at tables[tableStart ..]; split z takes the z-th of S equal runs of those positions
// (S CUDA blocks share a group's work, so a few long groups still fill the GPU). Each thread holds one query: row members[first + t / hpk], query head
// kh * hpk + t % hpk (hpk = heads / kvHeads), so count * hpk <= blockDim.x. A group with count 0
// does nothing (steps launch one CTA row per possible group, so a CUDA graph fits every step).
// K and V are staged in shared memory PREFIX_TILE positions at a time; each thread keeps an online
// softmax (running max m, sum l, unnormalized output acc) and finally writes
//   partials[(row, h, z)] = {m, l, acc[0 .. HD)}    partials (n, heads, S, HD + 2) floats
// (m = -inf, l = 0, acc = 0 for a split with no positions).
// q (n, heads * HD); kCache and vCache (numBlocks * blockSize, kvHeads * HD).
// Dynamic shared memory: (HD * blockDim.x + 2 * PREFIX_TILE * HD) floats.
#pragma once

#include "common.cuh"

#define PREFIX_TILE 32

template <int HD>
__device__ __forceinline__ void attention_prefix_body(const float* __restrict__ q, const float* __restrict__ kCache,
                                                      const float* __restrict__ vCache,
                                                      const int* __restrict__ groups,
                                                      const int* __restrict__ members,
                                                      const int* __restrict__ tables, float* __restrict__ partials,
                                                      int heads, int kvHeads, int blockSize, float scale) {
    extern __shared__ float shared[];
    const int* info = groups + 4 * blockIdx.y;
    const int length = info[1];
    const int count = info[3];
    if (count == 0) {
        return; // the whole block leaves together
    }
    const int kh = blockIdx.x;
    const int hpk = heads / kvHeads;
    const int t = threadIdx.x;
    const bool active = t < count * hpk;
    const int row = active ? members[info[2] + t / hpk] : 0;
    const int h = kh * hpk + t % hpk;
    float* qs = shared;                          // (HD, blockDim.x): thread t's query in column t
    float* ks = shared + HD * blockDim.x;        // (PREFIX_TILE, HD)
    float* vs = ks + PREFIX_TILE * HD;           // (PREFIX_TILE, HD)
    const float* qr = q + ((size_t)row * heads + h) * HD;
    for (int d = 0; d < HD; d++) {
        qs[d * blockDim.x + t] = active ? qr[d] : 0.f;
    }
    const int* table = tables + info[0];
    const int kvDim = kvHeads * HD;
    const int run = (length + gridDim.z - 1) / gridDim.z;
    const int begin = blockIdx.z * run;
    const int end = min(length, begin + run);
    float m = -INFINITY;
    float l = 0.f;
    float acc[HD];
#pragma unroll
    for (int d = 0; d < HD; d++) acc[d] = 0.f;

    for (int j0 = begin; j0 < end; j0 += PREFIX_TILE) {
        const int tile = min(PREFIX_TILE, end - j0);
        __syncthreads(); // the previous tile has been read
        for (int i = t; i < tile * HD; i += blockDim.x) {
            const size_t at = kv_slot(table, j0 + i / HD, blockSize, kvDim) + (size_t)kh * HD + i % HD;
            ks[i] = kCache[at];
            vs[i] = vCache[at];
        }
        __syncthreads();
        if (!active) {
            continue;
        }
        float s[PREFIX_TILE];
        float tileMax = -INFINITY;
#pragma unroll
        for (int jj = 0; jj < PREFIX_TILE; jj++) {
            s[jj] = -INFINITY;
            if (jj < tile) {
                float dot = 0.f;
#pragma unroll 16
                for (int d = 0; d < HD; d++) dot = fmaf(qs[d * blockDim.x + t], ks[jj * HD + d], dot);
                s[jj] = __fmul_rn(dot, scale);
                tileMax = fmaxf(tileMax, s[jj]);
            }
        }
        const float newMax = fmaxf(m, tileMax);
        const float correction = expf(__fsub_rn(m, newMax)); // 0 on the first tile (m = -inf)
        l = __fmul_rn(l, correction);
#pragma unroll
        for (int d = 0; d < HD; d++) acc[d] = __fmul_rn(acc[d], correction);
#pragma unroll
        for (int jj = 0; jj < PREFIX_TILE; jj++) {
            if (jj < tile) {
                const float p = expf(__fsub_rn(s[jj], newMax));
                l = __fadd_rn(l, p);
#pragma unroll
                for (int d = 0; d < HD; d++) acc[d] = fmaf(p, vs[jj * HD + d], acc[d]);
            }
        }
        m = newMax;
    }
    if (active) {
        float* out = partials + (((size_t)row * heads + h) * gridDim.z + blockIdx.z) * (HD + 2);
        out[0] = m;
        out[1] = l;
#pragma unroll
        for (int d = 0; d < HD; d++) out[2 + d] = acc[d];
    }
}

#define ATTENTION_PREFIX_KERNEL(HD)                                                                           \
    extern "C" __global__ void __launch_bounds__(128) attention_prefix_d##HD(                                  \
        const float* q, const float* kCache, const float* vCache, const int* groups, const int* members,       \
        const int* tables, float* partials, int heads, int kvHeads, int blockSize, float scale) {             \
        attention_prefix_body<HD>(q, kCache, vCache, groups, members, tables, partials, heads, kvHeads,       \
                                  blockSize, scale);                                                          \
    }

// Head widths with a shared-prefix kernel; others always attend per row.
ATTENTION_PREFIX_KERNEL(64)
ATTENTION_PREFIX_KERNEL(128)
