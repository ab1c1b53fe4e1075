// y = x W^T on CUDA cores in fp32: y[r, o] = sum_k W[o, k] * x[r, k].
//
//   x (n, cols) floats, y (n, out) floats, W (out, cols) in one of the formats of weights.cuh.
//
// One warp computes one output o for a tile of TR rows, so every weight is read once per tile and
// used TR times. Lane l handles the chunks k0 = l*CH + 32*CH*i; within a chunk the products are
// fused-multiply-added in order into s, then acc = fmaf(scale, s, acc); at the end the lanes are
// summed by a fixed butterfly. Row r's result therefore depends only on x[r], W and (CH, cols),
// never on TR, n or the other rows: the batch-invariance property.
//
// Launch: block (32 * MATMUL_WARPS), grid (ceil(n / TR), ceil(out / MATMUL_WARPS)). The row tiles
// vary fastest so that the blocks reading the same weights run together and share them in L2.
#pragma once

#include "weights.cuh"

#define MATMUL_WARPS 8

template <typename W, int CH, int TR>
__device__ __forceinline__ void matmul_body(const W w, const float* __restrict__ x, float* __restrict__ y, int n,
                                            int out, int cols) {
    const int lane = threadIdx.x & 31;
    const int o = blockIdx.y * MATMUL_WARPS + (threadIdx.x >> 5);
    const int r0 = blockIdx.x * TR;
    if (o >= out) {
        return; // the whole warp leaves together
    }
    float acc[TR];
#pragma unroll
    for (int t = 0; t < TR; t++) acc[t] = 0.f;
    for (int k0 = lane * CH; k0 < cols; k0 += 32 * CH) {
        float wv[CH];
        const float scale = w.template decode<CH>(o, k0, wv);
#pragma unroll
        for (int t = 0; t < TR; t++) {
            if (r0 + t < n) {
                const float* xr = x + (size_t)(r0 + t) * cols + k0;
                float s = 0.f;
                if (CH % 4 == 0) {
#pragma unroll
                    for (int i = 0; i < CH; i += 4) {
                        float4 xv = *reinterpret_cast<const float4*>(xr + i);
                        s = fmaf(wv[i], xv.x, s);
                        s = fmaf(wv[i + 1], xv.y, s);
                        s = fmaf(wv[i + 2], xv.z, s);
                        s = fmaf(wv[i + 3], xv.w, s);
                    }
                } else {
#pragma unroll
                    for (int i = 0; i < CH; i++) s = fmaf(wv[i], xr[i], s);
                }
                acc[t] = fmaf(scale, s, acc[t]);
            }
        }
    }
#pragma unroll
    for (int t = 0; t < TR; t++) {
        const float v = warp_sum(acc[t]);
        if (lane == 0 && r0 + t < n) {
            y[(size_t)(r0 + t) * out + o] = v;
        }
    }
}

#define MATMUL_FLOAT_KERNEL(NAME, WTYPE, ELEM, CH, TR)                                                        \
    extern "C" __global__ void __launch_bounds__(32 * MATMUL_WARPS)                                           \
        NAME(const void* data, const void* scales, const float* x, float* y, int n, int out, int cols) {      \
        matmul_body<WTYPE, CH, TR>(WTYPE{(const ELEM*)data, cols}, x, y, n, out, cols);                       \
    }

#define MATMUL_QUANT_KERNEL(NAME, WTYPE, ELEM, CH, TR)                                                        \
    extern "C" __global__ void __launch_bounds__(32 * MATMUL_WARPS)                                           \
        NAME(const void* data, const void* scales, const float* x, float* y, int n, int out, int cols) {      \
        matmul_body<WTYPE, CH, TR>(WTYPE{(const ELEM*)data, (const __half*)scales, cols}, x, y, n, out, cols); \
    }

// Float formats: CH 4 when cols % 4 == 0 (aligned vector loads), else CH 1.
MATMUL_FLOAT_KERNEL(matmul_f32_c4_r1, WeightF32, float, 4, 1)
MATMUL_FLOAT_KERNEL(matmul_f32_c4_r8, WeightF32, float, 4, 8)
MATMUL_FLOAT_KERNEL(matmul_f32_c1_r1, WeightF32, float, 1, 1)
MATMUL_FLOAT_KERNEL(matmul_f32_c1_r8, WeightF32, float, 1, 8)
MATMUL_FLOAT_KERNEL(matmul_f16_c4_r1, WeightF16, __half, 4, 1)
MATMUL_FLOAT_KERNEL(matmul_f16_c4_r8, WeightF16, __half, 4, 8)
MATMUL_FLOAT_KERNEL(matmul_f16_c1_r1, WeightF16, __half, 1, 1)
MATMUL_FLOAT_KERNEL(matmul_f16_c1_r8, WeightF16, __half, 1, 8)
MATMUL_FLOAT_KERNEL(matmul_bf16_c4_r1, WeightBF16, __nv_bfloat16, 4, 1)
MATMUL_FLOAT_KERNEL(matmul_bf16_c4_r8, WeightBF16, __nv_bfloat16, 4, 8)
MATMUL_FLOAT_KERNEL(matmul_bf16_c1_r1, WeightBF16, __nv_bfloat16, 1, 1)
MATMUL_FLOAT_KERNEL(matmul_bf16_c1_r8, WeightBF16, __nv_bfloat16, 1, 8)
// Block formats: cols is a multiple of 32.
MATMUL_QUANT_KERNEL(matmul_q8_0_c16_r1, WeightQ8_0, int8_t, 16, 1)
MATMUL_QUANT_KERNEL(matmul_q8_0_c16_r8, WeightQ8_0, int8_t, 16, 8)
MATMUL_QUANT_KERNEL(matmul_q4_0_c32_r1, WeightQ4_0, uint8_t, 32, 1)
MATMUL_QUANT_KERNEL(matmul_q4_0_c32_r8, WeightQ4_0, uint8_t, 32, 8)
