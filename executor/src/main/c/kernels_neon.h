/* aarch64 kernels (level 1 there: NEON with the dot product extension, ARMv8.2 "dotprod", as on Graviton 2+,
 * Ampere Altra, Apple M; level 0 is the portable C). One (row, activation row) pair at a time per weight row: each
 * weight block is unpacked once and met by every activation row, each pair keeping its own accumulator in block
 * order, so results do not depend on the batch or the row range. Activations are quantized by the portable code
 * (the bytes are the same at every level). Part of canopy_kernels.c (one translation unit): include only from there.
 */
#ifndef CANOPY_KERNELS_NEON_H
#define CANOPY_KERNELS_NEON_H

#include <arm_neon.h>

#define TDOT __attribute__((target("arch=armv8.2-a+dotprod")))

/* 32 signed levels of block j of a Q8_0/Q4_0 row (Q4_0: nibble - 8) and the block's scale. */
static float signed_block_neon(int32_t type, const uint8_t* wr, int32_t j, int8x16_t q[2]) {
    if (type == TYPE_Q8_0) {
        const uint8_t* blk = wr + (int64_t)j * 34;
        q[0] = vld1q_s8((const int8_t*)(blk + 2));
        q[1] = vld1q_s8((const int8_t*)(blk + 18));
        return fp16_to_float(load_u16(blk));
    }
    const uint8_t* blk = wr + (int64_t)j * 18;
    uint8x16_t packed = vld1q_u8(blk + 2);
    int8x16_t eight = vdupq_n_s8(8);
    q[0] = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(packed, vdupq_n_u8(15))), eight);
    q[1] = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(packed, 4)), eight);
    return fp16_to_float(load_u16(blk));
}

/* The quantized activations of block j of one activation row, and their scale. */
static float act_block_neon(const uint8_t* ar, int32_t j, int8x16_t x[2]) {
    const uint8_t* pair = ar + (int64_t)(j / 2) * PAIR_BYTES;
    x[0] = vld1q_s8((const int8_t*)(pair + (j % 2) * QK));
    x[1] = vld1q_s8((const int8_t*)(pair + (j % 2) * QK + 16));
    float dx;
    memcpy(&dx, pair + 64 + (j % 2) * 32, 4);
    return dx;
}

/* Per-activation-row accumulators of one weight row: (batch) x 4 lanes. NULL when out of memory. */
static float32x4_t* row_accumulators(int32_t batch) {
    return (float32x4_t*)malloc(sizeof(float32x4_t) * (size_t)(batch > 0 ? batch : 1));
}

TDOT static int32_t quant_neon(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch,
                               float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    int32_t nb = cols / QK;
    int64_t wrb = row_bytes(type, cols);
    int64_t arb = act_row_bytes(cols);
    float32x4_t* acc = row_accumulators(batch);
    if (acc == NULL) return -2;
    for (int32_t r = row_start; r < row_end; r++) {
        for (int32_t b = 0; b < batch; b++) acc[b] = vdupq_n_f32(0.0f);
        for (int32_t j = 0; j < nb; j++) {
            int8x16_t q[2], x[2];
            float dw = signed_block_neon(type, w + r * wrb, j, q);
            for (int32_t b = 0; b < batch; b++) {
                float dx = act_block_neon(act + b * arb, j, x);
                int32x4_t dot = vdotq_s32(vdotq_s32(vdupq_n_s32(0), q[0], x[0]), q[1], x[1]);
                acc[b] = vfmaq_f32(acc[b], vcvtq_f32_s32(dot), vdupq_n_f32(dw * dx));
            }
        }
        for (int32_t b = 0; b < batch; b++) out[b * rows + r] = vaddvq_f32(acc[b]);
    }
    free(acc);
    return 0;
}

TDOT static int32_t affine_neon(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch,
                                const float* sums, float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    int32_t nb = cols / QK;
    int64_t wrb = affine_row_bytes(type, cols);
    int64_t arb = act_row_bytes(cols);
    int64_t stride = sum_stride(type, nb);
    int per16 = type == TYPE_Q6_K;
    float32x4_t* acc = row_accumulators(batch);
    if (acc == NULL) return -2;
    for (int32_t r = row_start; r < row_end; r++) {
        const uint8_t* wr = w + r * wrb;
        float a[16], off[16];
        for (int32_t b = 0; b < batch; b++) acc[b] = vdupq_n_f32(0.0f);
        for (int32_t j = 0; j < nb; j++) {
            if (j % 8 == 0) { /* the scale group's offsets: 8 sums (Q6_K 16) */
                int n = per16 ? 16 : 8;
                group_scales(type, wr, j / 8, nb, a, off);
                for (int32_t b = 0; b < batch; b++) {
                    const float* s = sums + b * stride + (int64_t)n * (j / 8);
                    for (int i = 0; i < n; i += 4) acc[b] = vfmaq_f32(acc[b], vld1q_f32(off + i), vld1q_f32(s + i));
                }
            }
            uint8_t u[32];
            block_levels(type, wr, j, u); /* levels 0..63: exact as signed bytes */
            int8x16_t q0 = vreinterpretq_s8_u8(vld1q_u8(u)), q1 = vreinterpretq_s8_u8(vld1q_u8(u + 16));
            float a0 = per16 ? a[2 * (j % 8)] : a[j % 8], a1 = per16 ? a[2 * (j % 8) + 1] : a0;
            for (int32_t b = 0; b < batch; b++) {
                int8x16_t x[2];
                float dx = act_block_neon(act + b * arb, j, x);
                float32x4_t lo = vcvtq_f32_s32(vdotq_s32(vdupq_n_s32(0), q0, x[0]));
                float32x4_t hi = vcvtq_f32_s32(vdotq_s32(vdupq_n_s32(0), q1, x[1]));
                acc[b] = vfmaq_f32(acc[b], vmulq_n_f32(lo, a0), vdupq_n_f32(dx));
                acc[b] = vfmaq_f32(acc[b], vmulq_n_f32(hi, a1), vdupq_n_f32(dx));
            }
        }
        for (int32_t b = 0; b < batch; b++) out[b * rows + r] = vaddvq_f32(acc[b]);
    }
    free(acc);
    return 0;
}

/* 4 weights from column c of a float row as floats. */
static float32x4_t load_weights_neon(int32_t type, const uint8_t* wr, int32_t c) {
    if (type == TYPE_F32) return vld1q_f32((const float*)wr + c);
    uint16x4_t h = vld1_u16((const uint16_t*)(wr + 2LL * c));
    if (type == TYPE_F16) return vcvt_f32_f16(vreinterpret_f16_u16(h));
    return vreinterpretq_f32_u32(vshll_n_u16(h, 16));
}

static void float_neon(int32_t type, const uint8_t* w, int32_t cols, const float* x, int32_t batch, float* out,
                       int64_t rows, int32_t row_start, int32_t row_end) {
    int64_t wrb = row_bytes(type, cols);
    int32_t body = cols - cols % 4;
    for (int32_t r = row_start; r < row_end; r++) {
        const uint8_t* wr = w + r * wrb;
        for (int32_t b = 0; b < batch; b++) {
            const float* xr = x + (int64_t)b * cols;
            float32x4_t acc = vdupq_n_f32(0.0f);
            for (int32_t c = 0; c < body; c += 4) acc = vfmaq_f32(acc, load_weights_neon(type, wr, c), vld1q_f32(xr + c));
            float s = vaddvq_f32(acc);
            for (int32_t c = body; c < cols; c++) s = __builtin_fmaf(load_weight_generic(type, wr, c), xr[c], s);
            out[b * rows + r] = s;
        }
    }
}

#endif
