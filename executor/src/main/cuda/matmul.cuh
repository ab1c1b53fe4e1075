// y = x W^T on CUDA cores in fp32: y[r, o] = sum_k W[o, k] * x[r, k].
//
//   x (n, cols) floats, y (n, out) floats, W (out, cols) in one of the formats of weights.cuh.
//
// One warp computes one output o for a tile of TR rows, so every weight is read once per tile and
// used TR times. Lane l handles the chunks k0 = l*CH + 32*CH*i; within a chunk the products are
// fused-multiply-added in order into s, then acc = fmaf(scale, s, acc); at the end the lanes are
// summed by a fixed butterfly. Row r's result therefore depends only on x[r], W and (CH, cols),
// never on TR, n or the other rows: the batch-invariance property. The fused kernels below
// (several matrices in one launch, SwiGLU, residual add) reuse exactly this arithmetic, so fusing
// changes no bit.
//
// Launch: block (32 * MATMUL_WARPS), grid (ceil(n / TR), ceil(outputs / MATMUL_WARPS)). The row
// tiles vary fastest so that the blocks reading the same weights run together and share them in L2.
#pragma once

#include "weights.cuh"

#define MATMUL_WARPS 8

// acc[t] = this lane's partial sum of W[o] . x[r0 + t] for t < TR (rows past n are left alone).
template <typename W, int CH, int TR>
__device__ __forceinline__ void lane_dots(const W& w, int o, const float* __restrict__ x, int r0, int n, int cols,
                                          float* acc) {
    const int lane = threadIdx.x & 31;
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
}

// Up to three matrices of one format and width multiplied by the same x in one launch (Q, K and V):
// outputs 0..out0-1 go to y0 (n, out0), the next out1 to y1 (n, out1), the next out2 to y2.
// With accumulate != 0 the result is added to y (the residual add, rounded as x + proj on the CPU).
template <typename W, int CH, int TR>
__device__ __forceinline__ void matmul_body(const void* d0, const void* s0, float* y0, int out0, const void* d1,
                                            const void* s1, float* y1, int out1, const void* d2, const void* s2,
                                            float* y2, int out2, const float* __restrict__ x, int n, int cols,
                                            int accumulate) {
    int o = blockIdx.y * MATMUL_WARPS + (threadIdx.x >> 5);
    const void* data = d0;
    const void* scales = s0;
    float* y = y0;
    int out = out0;
    if (o >= out0) {
        o -= out0;
        data = d1; scales = s1; y = y1; out = out1;
        if (o >= out1) {
            o -= out1;
            data = d2; scales = s2; y = y2; out = out2;
            if (o >= out2) {
                return; // the whole warp leaves together
            }
        }
    }
    const int r0 = blockIdx.x * TR;
    float acc[TR];
    lane_dots<W, CH, TR>(W::make(data, scales, cols), o, x, r0, n, cols, acc);
#pragma unroll
    for (int t = 0; t < TR; t++) {
        const float v = warp_sum(acc[t]);
        if ((threadIdx.x & 31) == 0 && r0 + t < n) {
            float* dst = y + (size_t)(r0 + t) * out + o;
            *dst = accumulate ? __fadd_rn(*dst, v) : v;
        }
    }
}

// SwiGLU fused with its two projections: h[r, o] = silu(G[o] . x[r]) * (U[o] . x[r]), h (n, out).
// Each dot product is the matmul's, and silu is silu_mul's, so h is bit for bit the unfused result.
template <typename W, int CH, int TR>
__device__ __forceinline__ void swiglu_body(const void* gd, const void* gs, const void* ud, const void* us,
                                            float* __restrict__ h, int out, const float* __restrict__ x, int n,
                                            int cols) {
    const int o = blockIdx.y * MATMUL_WARPS + (threadIdx.x >> 5);
    if (o >= out) {
        return;
    }
    const int r0 = blockIdx.x * TR;
    float g[TR];
    float u[TR];
    lane_dots<W, CH, TR>(W::make(gd, gs, cols), o, x, r0, n, cols, g);
    lane_dots<W, CH, TR>(W::make(ud, us, cols), o, x, r0, n, cols, u);
#pragma unroll
    for (int t = 0; t < TR; t++) {
        const float gate = warp_sum(g[t]);
        const float up = warp_sum(u[t]);
        if ((threadIdx.x & 31) == 0 && r0 + t < n) {
            h[(size_t)(r0 + t) * out + o] = __fmul_rn(__fdiv_rn(gate, __fadd_rn(fast_exp(-gate), 1.f)), up);
        }
    }
}

#define MATMUL_KERNELS(FMT, WTYPE, CH)                                                                         \
    extern "C" __global__ void __launch_bounds__(32 * MATMUL_WARPS) matmul_##FMT##_c##CH##_r1(                 \
        const void* d0, const void* s0, float* y0, int out0, const void* d1, const void* s1, float* y1,        \
        int out1, const void* d2, const void* s2, float* y2, int out2, const float* x, int n, int cols,        \
        int accumulate) {                                                                                     \
        matmul_body<WTYPE, CH, 1>(d0, s0, y0, out0, d1, s1, y1, out1, d2, s2, y2, out2, x, n, cols, accumulate); \
    }                                                                                                         \
    extern "C" __global__ void __launch_bounds__(32 * MATMUL_WARPS) matmul_##FMT##_c##CH##_r8(                 \
        const void* d0, const void* s0, float* y0, int out0, const void* d1, const void* s1, float* y1,        \
        int out1, const void* d2, const void* s2, float* y2, int out2, const float* x, int n, int cols,        \
        int accumulate) {                                                                                     \
        matmul_body<WTYPE, CH, 8>(d0, s0, y0, out0, d1, s1, y1, out1, d2, s2, y2, out2, x, n, cols, accumulate); \
    }                                                                                                         \
    extern "C" __global__ void __launch_bounds__(32 * MATMUL_WARPS) swiglu_##FMT##_c##CH##_r1(                 \
        const void* gd, const void* gs, const void* ud, const void* us, float* h, int out, const float* x,     \
        int n, int cols) {                                                                                    \
        swiglu_body<WTYPE, CH, 1>(gd, gs, ud, us, h, out, x, n, cols);                                        \
    }                                                                                                         \
    extern "C" __global__ void __launch_bounds__(32 * MATMUL_WARPS) swiglu_##FMT##_c##CH##_r8(                 \
        const void* gd, const void* gs, const void* ud, const void* us, float* h, int out, const float* x,     \
        int n, int cols) {                                                                                    \
        swiglu_body<WTYPE, CH, 8>(gd, gs, ud, us, h, out, x, n, cols);                                        \
    }

// Float formats: CH 4 when cols % 4 == 0 (aligned vector loads), else CH 1. Q8_0, Q4_0: cols % 32 == 0.
MATMUL_KERNELS(f32, WeightF32, 4)
MATMUL_KERNELS(f32, WeightF32, 1)
MATMUL_KERNELS(f16, WeightF16, 4)
MATMUL_KERNELS(f16, WeightF16, 1)
MATMUL_KERNELS(bf16, WeightBF16, 4)
MATMUL_KERNELS(bf16, WeightBF16, 1)
MATMUL_KERNELS(q8_0, WeightQ8_0, 16)
MATMUL_KERNELS(q4_0, WeightQ4_0, 32)
// K-quants: CH 32 (one sub-block); cols % 256 == 0.
MATMUL_KERNELS(q4_k, WeightQ4_K, 32)
MATMUL_KERNELS(q5_k, WeightQ5_K, 32)
MATMUL_KERNELS(q6_k, WeightQ6_K, 32)
