// Row-wise and element-wise kernels of the forward pass.
#pragma once

#include "weights.cuh"

// x[r, :] = row tokens[r] of the embedding W, dequantized: x (n, cols). Grid (n), any block size.
template <typename W>
__device__ __forceinline__ void embed_body(const W w, const int* __restrict__ tokens, float* __restrict__ x,
                                           int cols) {
    const int r = blockIdx.x;
    const int token = tokens[r];
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        x[(size_t)r * cols + c] = w.value(token, c);
    }
}

extern "C" __global__ void embed_f32(const void* data, const void* scales, const int* tokens, float* x, int cols) {
    embed_body(WeightF32{(const float*)data, cols}, tokens, x, cols);
}
extern "C" __global__ void embed_f16(const void* data, const void* scales, const int* tokens, float* x, int cols) {
    embed_body(WeightF16{(const __half*)data, cols}, tokens, x, cols);
}
extern "C" __global__ void embed_bf16(const void* data, const void* scales, const int* tokens, float* x, int cols) {
    embed_body(WeightBF16{(const __nv_bfloat16*)data, cols}, tokens, x, cols);
}
extern "C" __global__ void embed_q8_0(const void* data, const void* scales, const int* tokens, float* x, int cols) {
    embed_body(WeightQ8_0{(const int8_t*)data, (const __half*)scales, cols}, tokens, x, cols);
}
extern "C" __global__ void embed_q4_0(const void* data, const void* scales, const int* tokens, float* x, int cols) {
    embed_body(WeightQ4_0{(const uint8_t*)data, (const __half*)scales, cols}, tokens, x, cols);
}

extern "C" __global__ void embed_q4_k(const void* data, const void* scales, const int* tokens, float* x, int cols) {
    embed_body(WeightQ4_K{(const uint8_t*)data, cols}, tokens, x, cols);
}
extern "C" __global__ void embed_q5_k(const void* data, const void* scales, const int* tokens, float* x, int cols) {
    embed_body(WeightQ5_K{(const uint8_t*)data, cols}, tokens, x, cols);
}
extern "C" __global__ void embed_q6_k(const void* data, const void* scales, const int* tokens, float* x, int cols) {
    embed_body(WeightQ6_K{(const uint8_t*)data, cols}, tokens, x, cols);
}

// y[r, i] += bias[i]: y (rows, width). Grid-stride over rows * width.
extern "C" __global__ void add_bias(float* __restrict__ y, const float* __restrict__ bias, int rows, int width) {
    const long long count = (long long)rows * width;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count;
         i += (long long)gridDim.x * blockDim.x) {
        y[i] = __fadd_rn(y[i], bias[i % width]);
    }
}

// SwiGLU in place: gate[i] = silu(gate[i]) * up[i], silu(g) = g / (1 + e^-g), as the CPU computes it.
extern "C" __global__ void silu_mul(float* __restrict__ gate, const float* __restrict__ up, long long count) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count;
         i += (long long)gridDim.x * blockDim.x) {
        const float g = gate[i];
        gate[i] = __fmul_rn(__fdiv_rn(g, __fadd_rn(fast_exp(-g), 1.f)), up[i]);
    }
}

// RMS norm of each row, as the CPU computes it:
//   out[r, i] = x[src, i] * (1 / sqrt(sum_i x[src, i]^2 / dim + eps)) * weight[i]
// with src = rowMap[r] when rowMap is not null, else r. x (*, dim), out (rows, dim).
// Grid (rows), block a multiple of 32 (the sum of squares is a fixed tree over the threads).
extern "C" __global__ void rms_norm(const float* __restrict__ x, const int* __restrict__ rowMap,
                                    const float* __restrict__ weight, float* __restrict__ out, int dim, float eps) {
    const int r = blockIdx.x;
    const int src = rowMap != nullptr ? rowMap[r] : r;
    const float* xr = x + (size_t)src * dim;
    float ss = 0.f;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        ss = fmaf(xr[i], xr[i], ss);
    }
    ss = block_sum(ss);
    const float meanSquare = __fadd_rn(__fdiv_rn(ss, (float)dim), eps);
    const float scale = (float)(1.0 / sqrt((double)meanSquare));
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        out[(size_t)r * dim + i] = __fmul_rn(__fmul_rn(xr[i], scale), weight[i]);
    }
}
