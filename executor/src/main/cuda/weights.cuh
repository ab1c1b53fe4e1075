// Weight formats as they sit in GPU memory. Float formats keep the file's layout: (rows, cols)
// elements. Q8_0 and Q4_0 are split at upload (same bits, other order) into a quant array and a
// scale array so that every thread reads aligned 16-byte pieces:
//   Q8_0: quants (rows, cols) int8;          scales (rows, cols / 32) fp16
//   Q4_0: quants (rows, cols / 2) bytes, each 32-value block's 16 bytes as in the file (low nibble
//         of byte j = value j, high nibble = value j + 16, stored biased by 8); scales as Q8_0.
// K-quants (Q4_K, Q5_K, Q6_K) keep their super-blocks whole: see weights_k.cuh.
//
// decode<CH>(row, k0, out) writes the CH weights row[k0 .. k0 + CH) without their block scale into
// out and returns the scale (1 for float formats); value(row, col) is one dequantized weight.
#pragma once

#include "common.cuh"
#include "weights_k.cuh"

struct WeightF32 {
    const float* data;
    int cols;

    __device__ __forceinline__ static WeightF32 make(const void* data, const void* scales, int cols) {
        return WeightF32{(const float*)data, cols};
    }

    template <int CH>
    __device__ __forceinline__ float decode(int row, int k0, float* out) const {
        const float* p = data + (size_t)row * cols + k0;
        if (CH % 4 == 0) {
#pragma unroll
            for (int i = 0; i < CH; i += 4) {
                float4 v = *reinterpret_cast<const float4*>(p + i);
                out[i] = v.x; out[i + 1] = v.y; out[i + 2] = v.z; out[i + 3] = v.w;
            }
        } else {
#pragma unroll
            for (int i = 0; i < CH; i++) out[i] = p[i];
        }
        return 1.f;
    }

    __device__ __forceinline__ float value(int row, int col) const { return data[(size_t)row * cols + col]; }
};

// F16 and BF16: 16-bit floats; CH % 4 == 0 reads 8 bytes at a time.
template <typename H>
struct WeightHalf {
    const H* data;
    int cols;

    __device__ __forceinline__ static WeightHalf make(const void* data, const void* scales, int cols) {
        return WeightHalf{(const H*)data, cols};
    }

    __device__ __forceinline__ static float to_float(H h);

    template <int CH>
    __device__ __forceinline__ float decode(int row, int k0, float* out) const {
        const H* p = data + (size_t)row * cols + k0;
        if (CH % 4 == 0) {
#pragma unroll
            for (int i = 0; i < CH; i += 4) {
                uint2 raw = *reinterpret_cast<const uint2*>(p + i);
                const H* h = reinterpret_cast<const H*>(&raw);
                out[i] = to_float(h[0]); out[i + 1] = to_float(h[1]);
                out[i + 2] = to_float(h[2]); out[i + 3] = to_float(h[3]);
            }
        } else {
#pragma unroll
            for (int i = 0; i < CH; i++) out[i] = to_float(p[i]);
        }
        return 1.f;
    }

    __device__ __forceinline__ float value(int row, int col) const {
        return to_float(data[(size_t)row * cols + col]);
    }
};

template <>
__device__ __forceinline__ float WeightHalf<__half>::to_float(__half h) { return __half2float(h); }
template <>
__device__ __forceinline__ float WeightHalf<__nv_bfloat16>::to_float(__nv_bfloat16 h) { return __bfloat162float(h); }

typedef WeightHalf<__half> WeightF16;
typedef WeightHalf<__nv_bfloat16> WeightBF16;

// Q8_0 split: CH is 16 (half a block) or 32 (a block); k0 is a multiple of CH.
struct WeightQ8_0 {
    const int8_t* quants;
    const __half* scales;
    int cols;

    __device__ __forceinline__ static WeightQ8_0 make(const void* data, const void* scales, int cols) {
        return WeightQ8_0{(const int8_t*)data, (const __half*)scales, cols};
    }

    template <int CH>
    __device__ __forceinline__ float decode(int row, int k0, float* out) const {
        const int8_t* p = quants + (size_t)row * cols + k0;
#pragma unroll
        for (int i = 0; i < CH; i += 16) {
            int4 raw = *reinterpret_cast<const int4*>(p + i);
            const int8_t* q = reinterpret_cast<const int8_t*>(&raw);
#pragma unroll
            for (int j = 0; j < 16; j++) out[i + j] = (float)q[j];
        }
        return __half2float(scales[(size_t)row * (cols / 32) + k0 / 32]);
    }

    __device__ __forceinline__ float value(int row, int col) const {
        float d = __half2float(scales[(size_t)row * (cols / 32) + col / 32]);
        return __fmul_rn(d, (float)quants[(size_t)row * cols + col]);
    }
};

// Q4_0 split: CH is 32 (one block); k0 is a multiple of 32.
struct WeightQ4_0 {
    const uint8_t* quants;
    const __half* scales;
    int cols;

    __device__ __forceinline__ static WeightQ4_0 make(const void* data, const void* scales, int cols) {
        return WeightQ4_0{(const uint8_t*)data, (const __half*)scales, cols};
    }

    template <int CH>
    __device__ __forceinline__ float decode(int row, int k0, float* out) const {
        const uint8_t* p = quants + ((size_t)row * cols + k0) / 2;
        uint4 raw = *reinterpret_cast<const uint4*>(p);
        const uint8_t* b = reinterpret_cast<const uint8_t*>(&raw);
#pragma unroll
        for (int j = 0; j < 16; j++) {
            out[j] = (float)((int)(b[j] & 0x0F) - 8);
            out[j + 16] = (float)((int)(b[j] >> 4) - 8);
        }
        return __half2float(scales[(size_t)row * (cols / 32) + k0 / 32]);
    }

    __device__ __forceinline__ float value(int row, int col) const {
        float d = __half2float(scales[(size_t)row * (cols / 32) + col / 32]);
        uint8_t b = quants[((size_t)row * cols + (col & ~31)) / 2 + (col & 15)];
        int q = (col & 16) ? (b >> 4) : (b & 0x0F);
        return __fmul_rn(d, (float)(q - 8));
    }
};
