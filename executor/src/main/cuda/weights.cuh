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

// Small unsigned integers to exact floats without the conversion unit (a quarter of the FMA rate on
// sm_90): byte b of `word` (0..255) is placed in the mantissa of 2^23, giving 2^23 + byte, and `bias`
// subtracted: __fsub_rn(byte_float(word, b), 8388608.f + k) is exactly byte - k, the bits of
// (float)(byte - k). One byte permute and one add (full rate) per value.
__device__ __forceinline__ float byte_float(uint32_t word, int b) {
    return __int_as_float((int)__byte_perm(word, 0x4B000000u, 0x7540u | (uint32_t)b));
}

// The 16 signed bytes of `raw` as exact floats: out[i] = (float)(int8_t)byte i.
__device__ __forceinline__ void int8x16_floats(int4 raw, float* out) {
    const uint32_t words[4] = {(uint32_t)raw.x ^ 0x80808080u, (uint32_t)raw.y ^ 0x80808080u,
                               (uint32_t)raw.z ^ 0x80808080u, (uint32_t)raw.w ^ 0x80808080u}; // q + 128
#pragma unroll
    for (int w = 0; w < 4; w++) {
#pragma unroll
        for (int b = 0; b < 4; b++) out[4 * w + b] = __fsub_rn(byte_float(words[w], b), 8388736.f); // 2^23 + 128
    }
}

// The 32 values of a Q4_0 block's 16 nibble bytes `raw` (low nibble of byte j = value j, high nibble = value
// j + 16, biased by 8) as exact floats: out[j] = nibble - 8.
__device__ __forceinline__ void nibbles32_floats(uint4 raw, float* out) {
    const uint32_t words[4] = {raw.x, raw.y, raw.z, raw.w}; // byte j of the block: word j / 4, byte j % 4
#pragma unroll
    for (int w = 0; w < 4; w++) {
        const uint32_t low = words[w] & 0x0F0F0F0Fu;         // values 4w .. 4w + 3, biased by 8
        const uint32_t high = (words[w] >> 4) & 0x0F0F0F0Fu; // values 4w + 16 .. 4w + 19
#pragma unroll
        for (int b = 0; b < 4; b++) {
            out[4 * w + b] = __fsub_rn(byte_float(low, b), 8388616.f);       // 2^23 + 8
            out[4 * w + b + 16] = __fsub_rn(byte_float(high, b), 8388616.f);
        }
    }
}

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
            int8x16_floats(*reinterpret_cast<const int4*>(p + i), out + i);
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
        nibbles32_floats(*reinterpret_cast<const uint4*>(quants + ((size_t)row * cols + k0) / 2), out);
        return __half2float(scales[(size_t)row * (cols / 32) + k0 / 32]);
    }

    __device__ __forceinline__ float value(int row, int col) const {
        float d = __half2float(scales[(size_t)row * (cols / 32) + col / 32]);
        uint8_t b = quants[((size_t)row * cols + (col & ~31)) / 2 + (col & 15)];
        int q = (col & 16) ? (b >> 4) : (b & 0x0F);
        return __fmul_rn(d, (float)(q - 8));
    }
};
