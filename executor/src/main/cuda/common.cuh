// Shared helpers of Canopy's CUDA kernels.
//
// Determinism: every reduction below adds in a fixed order that depends only on the block shape,
// never on timing or on which other rows share a launch, and no kernel uses atomics. The module is
// compiled with --fmad=false, so a multiply followed by an add is never fused behind our back;
// fused multiply-adds are written out as fmaf where they are meant.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

#define CANOPY_WARP 32
#define CANOPY_FULL_MASK 0xffffffffu

// The sum of v over the 32 lanes of a warp (xor butterfly: every lane gets the same bits).
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(CANOPY_FULL_MASK, v, offset);
    }
    return v;
}

// The maximum of v over the 32 lanes of a warp.
__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(CANOPY_FULL_MASK, v, offset));
    }
    return v;
}

// The sum (or max) of v over all threads of a block whose size is a multiple of 32 and at most
// 1024. Every thread returns the result. Safe to call several times in a row.
template <bool IS_MAX>
__device__ __forceinline__ float block_reduce(float v) {
    __shared__ float partial[32];
    __shared__ float total;
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;
    v = IS_MAX ? warp_max(v) : warp_sum(v);
    __syncthreads(); // a previous call may still be reading partial/total
    if (lane == 0) {
        partial[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        float t = lane < warps ? partial[lane] : (IS_MAX ? -INFINITY : 0.f);
        t = IS_MAX ? warp_max(t) : warp_sum(t);
        if (lane == 0) {
            total = t;
        }
    }
    __syncthreads();
    return total;
}

__device__ __forceinline__ float block_sum(float v) { return block_reduce<false>(v); }
__device__ __forceinline__ float block_max(float v) { return block_reduce<true>(v); }

// e^x exactly as Canopy's CPU kernels compute it (Java FastExp: Cephes expf, a power of two split
// off, then a degree-6 polynomial), so SwiGLU gives the CPU's bits for the same input.
__device__ __forceinline__ float fast_exp(float x) {
    const float LOG2E = 1.44269504088896341f;
    const float LN2_HI = 0.693359375f;
    const float LN2_LO = -2.12194440e-4f;
    const float ROUNDER = 12582912.f;
    const float MAX_ARG = 88.72283f;
    const float MIN_ARG = -87.33654f;
    if (!(x >= MIN_ARG)) {
        return isnan(x) ? x : 0.f;
    }
    if (x > MAX_ARG) {
        return INFINITY;
    }
    float n = __fsub_rn(__fadd_rn(__fmul_rn(x, LOG2E), ROUNDER), ROUNDER);
    float r = fmaf(n, -LN2_LO, fmaf(n, -LN2_HI, x));
    float p = fmaf(fmaf(fmaf(fmaf(fmaf(1.9875691500e-4f, r, 1.3981999507e-3f), r, 8.3334519073e-3f), r,
                               4.1665795894e-2f), r, 1.6666665459e-1f), r, 5.0000001201e-1f);
    float y = __fadd_rn(fmaf(p, __fmul_rn(r, r), r), 1.f);
    return __fmul_rn(y, __int_as_float(((int)n + 127) << 23));
}

// Float index of token slot (block, slot) in a layer's KV buffer of kvDim floats per slot.
__device__ __forceinline__ size_t kv_slot(const int* table, int pos, int blockSize, int kvDim) {
    return ((size_t)table[pos / blockSize] * blockSize + pos % blockSize) * kvDim;
}
