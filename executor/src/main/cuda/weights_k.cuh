// K-quant weight formats (super-blocks of 256 values, ggml's layouts; see KQuants.java) as they sit
// in GPU memory. Q4_K (144 bytes) and Q5_K (176 bytes) keep the file's bytes: both sizes are
// multiples of 16, so every super-block starts 16-byte aligned. Q6_K (210 bytes) is padded at upload
// to 224 bytes a super-block (same bytes, 14 zeros after each), which puts ql, qh, scales and d at
// 16-byte aligned offsets 0, 128, 192 and 208.
//
// decode<32>(row, k0, out) writes the 32 dequantized weights row[k0 .. k0 + 32) (k0 a multiple of 32)
// and returns 1: a K-quant value carries a per-sub-block offset (-dmin * m), so no single factor can
// be left for the caller. Each value is computed as the CPU's KQuants.decode computes it (products and
// differences rounded one at a time), so the weights are the CPU's bits.
#pragma once

#include "common.cuh"

#define QK_K 256

// ggml's get_scale_min_k4: the 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes.
__device__ __forceinline__ void k4_scale_min(const uint8_t* s, int j, int& sc, int& m) {
    if (j < 4) {
        sc = s[j] & 63;
        m = s[j + 4] & 63;
    } else {
        sc = (s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4);
        m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

// The 32 bytes at p (16-byte aligned) into b.
__device__ __forceinline__ void load32(const uint8_t* p, uint8_t* b) {
    *reinterpret_cast<uint4*>(b) = *reinterpret_cast<const uint4*>(p);
    *reinterpret_cast<uint4*>(b + 16) = *reinterpret_cast<const uint4*>(p + 16);
}

// d (fp16), dmin (fp16) and the 12 scale bytes: the first 16 bytes of a Q4_K or Q5_K super-block.
struct KHeader {
    float d;
    float dmin;
    uint8_t scales[12];

    __device__ __forceinline__ static KHeader load(const uint8_t* blk) {
        uint4 raw = *reinterpret_cast<const uint4*>(blk);
        const uint8_t* b = reinterpret_cast<const uint8_t*>(&raw);
        KHeader h;
        h.d = __half2float(*reinterpret_cast<const __half*>(b));
        h.dmin = __half2float(*reinterpret_cast<const __half*>(b + 2));
#pragma unroll
        for (int i = 0; i < 12; i++) h.scales[i] = b[4 + i];
        return h;
    }

    // The factor and offset of sub-block j: value = factor * q - offset.
    __device__ __forceinline__ void sub_block(int j, float& factor, float& offset) const {
        int sc;
        int m;
        k4_scale_min(scales, j, sc, m);
        factor = __fmul_rn(d, (float)sc);
        offset = __fmul_rn(dmin, (float)m);
    }
};

// Q4_K (FIFTH_BIT false): byte l of the 32-byte chunk c = j / 2 at QS holds value 32j + l of sub-block
// j in its low nibble (j even) or its high nibble (j odd).
// Q5_K (FIFTH_BIT true): the same nibbles at byte 48, plus the fifth bit of value 32j + l in bit j of
// qh[l] (byte 16 + l).
template <bool FIFTH_BIT>
struct WeightK4 {
    static constexpr int BLOCK_BYTES = FIFTH_BIT ? 176 : 144;
    static constexpr int QS = FIFTH_BIT ? 48 : 16;
    static constexpr int QH = 16;
    const uint8_t* data;
    int cols;

    __device__ __forceinline__ static WeightK4 make(const void* data, const void* scales, int cols) {
        return WeightK4{(const uint8_t*)data, cols};
    }

    __device__ __forceinline__ const uint8_t* block(int row, int col) const {
        return data + ((size_t)row * (cols / QK_K) + col / QK_K) * BLOCK_BYTES;
    }

    // The unsigned quant (4 or 5 bits) of byte q (and qh) for sub-block j.
    __device__ __forceinline__ static int quant(uint8_t q, uint8_t qh, int j) {
        const int low = (q >> ((j & 1) * 4)) & 15;
        return FIFTH_BIT ? low | (((qh >> j) & 1) << 4) : low;
    }

    template <int CH>
    __device__ __forceinline__ float decode(int row, int k0, float* out) const {
        static_assert(CH == 32, "K-quant weights decode 32 values at a time");
        const uint8_t* blk = block(row, k0);
        const int j = (k0 % QK_K) / 32;
        float factor;
        float offset;
        KHeader::load(blk).sub_block(j, factor, offset);
        uint8_t q[32];
        uint8_t qh[32];
        load32(blk + QS + 32 * (j / 2), q);
        if (FIFTH_BIT) {
            load32(blk + QH, qh);
        }
#pragma unroll
        for (int l = 0; l < 32; l++) {
            out[l] = __fsub_rn(__fmul_rn(factor, (float)quant(q[l], FIFTH_BIT ? qh[l] : 0, j)), offset);
        }
        return 1.f;
    }

    __device__ __forceinline__ float value(int row, int col) const {
        const uint8_t* blk = block(row, col);
        const int j = (col % QK_K) / 32;
        const int l = col % 32;
        float factor;
        float offset;
        KHeader::load(blk).sub_block(j, factor, offset);
        const int q = quant(blk[QS + 32 * (j / 2) + l], FIFTH_BIT ? blk[QH + l] : 0, j);
        return __fsub_rn(__fmul_rn(factor, (float)q), offset);
    }
};

typedef WeightK4<false> WeightQ4_K;
typedef WeightK4<true> WeightQ5_K;

// Q6_K, padded to 224 bytes: ql[128] at 0, qh[64] at 128, int8 scales[16] at 192, fp16 d at 208.
// Chunk c = (col % 256) / 32 is half h = c / 4, quarter k = c % 4: value 128h + 32k + l takes its
// low 4 bits from ql[64h + 32(k & 1) + l] (low nibble for k < 2), its top 2 bits from bits 2k, 2k+1
// of qh[32h + l], and its scale from scales[8h + 2k + l / 16]; value = (d * scale) * (q - 32).
struct WeightQ6_K {
    static constexpr int BLOCK_BYTES = 224;
    const uint8_t* data;
    int cols;

    __device__ __forceinline__ static WeightQ6_K make(const void* data, const void* scales, int cols) {
        return WeightQ6_K{(const uint8_t*)data, cols};
    }

    __device__ __forceinline__ const uint8_t* block(int row, int col) const {
        return data + ((size_t)row * (cols / QK_K) + col / QK_K) * BLOCK_BYTES;
    }

    template <int CH>
    __device__ __forceinline__ float decode(int row, int k0, float* out) const {
        static_assert(CH == 32, "K-quant weights decode 32 values at a time");
        const uint8_t* blk = block(row, k0);
        const int c = (k0 % QK_K) / 32;
        const int h = c / 4;
        const int k = c % 4;
        uint4 tail = *reinterpret_cast<const uint4*>(blk + 192); // scales[16]
        const int8_t* scales = reinterpret_cast<const int8_t*>(&tail);
        const float d = __half2float(*reinterpret_cast<const __half*>(blk + 208));
        const float f0 = __fmul_rn(d, (float)scales[8 * h + 2 * k]);
        const float f1 = __fmul_rn(d, (float)scales[8 * h + 2 * k + 1]);
        uint8_t ql[32];
        uint8_t qh[32];
        load32(blk + 64 * h + 32 * (k & 1), ql);
        load32(blk + 128 + 32 * h, qh);
        const int shift = k < 2 ? 0 : 4;
#pragma unroll
        for (int l = 0; l < 32; l++) {
            const int q = (((ql[l] >> shift) & 15) | (((qh[l] >> (2 * k)) & 3) << 4)) - 32;
            out[l] = __fmul_rn(l < 16 ? f0 : f1, (float)q);
        }
        return 1.f;
    }

    __device__ __forceinline__ float value(int row, int col) const {
        const uint8_t* blk = block(row, col);
        const int c = (col % QK_K) / 32;
        const int h = c / 4;
        const int k = c % 4;
        const int l = col % 32;
        const float d = __half2float(*reinterpret_cast<const __half*>(blk + 208));
        const int8_t sc = (int8_t)blk[192 + 8 * h + 2 * k + l / 16];
        const int q = (((blk[64 * h + 32 * (k & 1) + l] >> (k < 2 ? 0 : 4)) & 15)
                       | (((blk[128 + 32 * h + l] >> (2 * k)) & 3) << 4)) - 32;
        return __fmul_rn(__fmul_rn(d, (float)sc), (float)q);
    }
};
