// Rotary position embedding of each row's q and k, then the store of k and v into the paged KV cache.
#pragma once

#include "common.cuh"

// For row r at position p = positions[r]:
//   every head of q (n, heads*headDim) and k (n, kvHeads*headDim) has its first ropeDim elements
//   rotated in pairs by angles p * freqs[i] (i < ropeDim/2): pairs (2i, 2i+1) when neox == 0,
//   (i, i + ropeDim/2) when neox != 0; cos and sin are taken in double and rounded, as the CPU does;
//   then k[r] and v[r] (n, kvDim) are written to slot p of the row's sequence in kCache/vCache
//   (numBlocks*blockSize, kvDim), through the block table tables[rowTable[r] ..].
// Grid (n), block any size.
extern "C" __global__ void rope_store(float* __restrict__ q, float* __restrict__ k, const float* __restrict__ v,
                                      const int* __restrict__ positions, const int* __restrict__ rowTable,
                                      const int* __restrict__ tables, const float* __restrict__ freqs,
                                      float* __restrict__ kCache, float* __restrict__ vCache, int heads, int kvHeads,
                                      int headDim, int ropeDim, int neox, int blockSize) {
    const int r = blockIdx.x;
    const int pos = positions[r];
    const int half = ropeDim / 2;
    const int qDim = heads * headDim;
    const int kvDim = kvHeads * headDim;
    for (int p = threadIdx.x; p < (heads + kvHeads) * half; p += blockDim.x) {
        const int h = p / half;
        const int i = p % half;
        float* base = h < heads ? q + (size_t)r * qDim + h * headDim : k + (size_t)r * kvDim + (h - heads) * headDim;
        const float angle = __fmul_rn((float)pos, freqs[i]);
        const float c = (float)cos((double)angle);
        const float s = (float)sin((double)angle);
        const int i0 = neox ? i : 2 * i;
        const int i1 = neox ? i + half : 2 * i + 1;
        const float v0 = base[i0];
        const float v1 = base[i1];
        base[i0] = __fsub_rn(__fmul_rn(v0, c), __fmul_rn(v1, s));
        base[i1] = __fadd_rn(__fmul_rn(v0, s), __fmul_rn(v1, c));
    }
    __syncthreads(); // the rotated k of this row is complete
    const size_t slot = kv_slot(tables + rowTable[r], pos, blockSize, kvDim);
    for (int i = threadIdx.x; i < kvDim; i += blockDim.x) {
        kCache[slot + i] = k[(size_t)r * kvDim + i];
        vCache[slot + i] = v[(size_t)r * kvDim + i];
    }
}
