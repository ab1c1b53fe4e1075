// Causal attention of each row's query heads over its own sequence's paged KV cache.
#pragma once

#include "common.cuh"

// For row r (grid.y) and query head h (grid.x), with p = positions[r] and kv head h / (heads/kvHeads):
//   s_j = (q[r,h] . K[j]) * scale for j in 0..p, a = softmax(s), out[r,h] = sum_j a_j V[j]
// K[j] and V[j] are position j's slot of the row's sequence (block table tables[rowTable[r] ..]).
// q and out (n, heads*headDim); kCache and vCache (numBlocks*blockSize, kvHeads*headDim).
// The softmax is the CPU's: max, exp(s - max) in double rounded to float, sum, multiply by 1/sum;
// out accumulates position by position in order with fused multiply-adds, like the CPU's axpy.
// Dynamic shared memory: (headDim + capacity) floats, capacity > every p in the launch.
// Block: a multiple of 32 threads.
//
// MERGE (attention_merge): row r's positions below start = prefixEnd[r] were already attended by
// attention_prefix (shared_prefix.cuh) in `splits` runs, whose partials (max m_z, sum l_z, unnormalized
// output acc_z) for (r, h) are merged here with the row's own positions start..p by log-sum-exp:
//   M = max(max_z m_z, max_j s_j), w_z = e^(m_z - M),
//   out = (sum_z w_z acc_z + sum_j e^(s_j - M) V[j]) / (sum_z w_z l_z + sum_j e^(s_j - M)).
// Rows with prefixEnd 0 get exactly the bits of the plain kernel.
template <bool MERGE>
__device__ __forceinline__ void attention_body(const float* __restrict__ q, const float* __restrict__ kCache,
                                               const float* __restrict__ vCache, const int* __restrict__ positions,
                                               const int* __restrict__ rowTable, const int* __restrict__ tables,
                                               float* __restrict__ out, int heads, int kvHeads, int headDim,
                                               int blockSize, float scale, const int* __restrict__ prefixEnd,
                                               const float* __restrict__ partials, int splits) {
    extern __shared__ float shared[];
    float* qh = shared;               // (headDim)
    float* scores = shared + headDim; // (p + 1)
    const int h = blockIdx.x;
    const int r = blockIdx.y;
    const int pos = positions[r];
    const int start = MERGE ? prefixEnd[r] : 0;
    // the prefix partials of (r, h): per split m, l, acc (headDim); read only where start > 0
    const float* partial = MERGE ? partials + ((size_t)r * heads + h) * splits * (headDim + 2) : nullptr;
    const int kvDim = kvHeads * headDim;
    const size_t headOff = (size_t)(h / (heads / kvHeads)) * headDim;
    const int* table = tables + rowTable[r];
    const float* qr = q + (size_t)r * heads * headDim + (size_t)h * headDim;
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        qh[d] = qr[d];
    }
    __syncthreads();

    float localMax = -INFINITY;
    for (int j = start + threadIdx.x; j <= pos; j += blockDim.x) {
        const float* kj = kCache + kv_slot(table, j, blockSize, kvDim) + headOff;
        float s = 0.f;
        if ((headDim & 3) == 0) {
            for (int d = 0; d < headDim; d += 4) {
                const float4 kv = *reinterpret_cast<const float4*>(kj + d);
                s = fmaf(qh[d], kv.x, s);
                s = fmaf(qh[d + 1], kv.y, s);
                s = fmaf(qh[d + 2], kv.z, s);
                s = fmaf(qh[d + 3], kv.w, s);
            }
        } else {
            for (int d = 0; d < headDim; d++) s = fmaf(qh[d], kj[d], s);
        }
        s = __fmul_rn(s, scale);
        scores[j] = s;
        localMax = fmaxf(localMax, s);
    }
    float max = block_max(localMax);
    const bool merged = MERGE && start > 0;
    if (merged) {
        for (int z = 0; z < splits; z++) max = fmaxf(max, partial[z * (headDim + 2)]);
    }

    float localSum = 0.f;
    for (int j = start + threadIdx.x; j <= pos; j += blockDim.x) {
        const float e = (float)exp((double)__fsub_rn(scores[j], max));
        scores[j] = e;
        localSum = __fadd_rn(localSum, e);
    }
    float sum = block_sum(localSum); // block_sum's barrier also publishes scores
    if (merged) {
        for (int z = 0; z < splits; z++) {
            const float* pz = partial + z * (headDim + 2);
            sum = __fadd_rn(sum, __fmul_rn(pz[1], (float)exp((double)__fsub_rn(pz[0], max))));
        }
    }
    const float inv = __fdiv_rn(1.f, sum);

    float* outh = out + (size_t)r * heads * headDim + (size_t)h * headDim;
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float o = 0.f;
        if (merged) {
            for (int z = 0; z < splits; z++) {
                const float* pz = partial + z * (headDim + 2);
                o = fmaf(pz[2 + d], (float)exp((double)__fsub_rn(pz[0], max)), o);
            }
            o = __fmul_rn(o, inv);
        }
        for (int j = start; j <= pos; j++) {
            const float* vj = vCache + kv_slot(table, j, blockSize, kvDim) + headOff;
            o = fmaf(__fmul_rn(scores[j], inv), vj[d], o);
        }
        outh[d] = o;
    }
}

extern "C" __global__ void attention(const float* __restrict__ q, const float* __restrict__ kCache,
                                     const float* __restrict__ vCache, const int* __restrict__ positions,
                                     const int* __restrict__ rowTable, const int* __restrict__ tables,
                                     float* __restrict__ out, int heads, int kvHeads, int headDim, int blockSize,
                                     float scale) {
    attention_body<false>(q, kCache, vCache, positions, rowTable, tables, out, heads, kvHeads, headDim, blockSize,
                          scale, nullptr, nullptr, 0);
}

// prefixEnd (n) ints; partials (n, heads, splits, headDim + 2) floats, written by attention_prefix.
extern "C" __global__ void attention_merge(const float* __restrict__ q, const float* __restrict__ kCache,
                                           const float* __restrict__ vCache, const int* __restrict__ positions,
                                           const int* __restrict__ rowTable, const int* __restrict__ tables,
                                           float* __restrict__ out, int heads, int kvHeads, int headDim,
                                           int blockSize, float scale, const int* __restrict__ prefixEnd,
                                           const float* __restrict__ partials, int splits) {
    attention_body<true>(q, kCache, vCache, positions, rowTable, tables, out, heads, kvHeads, headDim, blockSize,
                         scale, prefixEnd, partials, splits);
}
