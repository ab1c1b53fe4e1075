/*
 * What every level's kernels for the "affine" weight types share: which types they are, their row sizes,
 * the activations' group sums, and, in plain C, the scales of a group of 8 blocks and the levels of one block.
 *   Q4_1 (3), Q5_0 (6), Q5_1 (7): blocks of 32, value = d*u + m (Q5_0: d*(u - 16))
 *   Q4_K (12), Q5_K (13):        super-blocks of 256, sub-blocks of 32, value = (d*sc)*u - dmin*m
 *   Q6_K (14):                   super-blocks of 256, sub-blocks of 16, value = (d*sc)*(u - 32)
 *   MXFP4 (39):                  17-byte blocks of 32: E8M0 exponent e, uint8 qs[16] of E2M1 codes; value j =
 *                                2^(e-128) * K[qs[j] & 15], value j+16 = 2^(e-128) * K[qs[j] >> 4], K the doubled
 *                                E2M1 values {0,1,2,3,4,6,8,12,0,-1,-2,-3,-4,-6,-8,-12} (ggml's kvalues_mxfp4),
 *                                here u = K + 12 (0..24) and value = a*(u - 12)
 * (layouts: dev.canopy.executor.tensor.LegacyQuants, KQuants and Mxfp4). Part of canopy_kernels.c.
 *
 * Every level computes sum_i w_i x_i as (sum over blocks of 32) dx * sum_lanes a * (sum_4 u*xq)
 * plus (sum over groups) off * S, S = dx * sum(xq) over the group's values (block_sums). A "scale group"
 * is 8 blocks of 32: a K-quant super-block, or blocks 8g .. 8g+7 of a legacy/MXFP4 row.
 */
#ifndef CANOPY_KERNELS_AFFINE_COMMON_H
#define CANOPY_KERNELS_AFFINE_COMMON_H

#define TYPE_Q4_1 3
#define TYPE_Q5_0 6
#define TYPE_Q5_1 7
#define TYPE_Q4_K 12
#define TYPE_Q5_K 13
#define TYPE_Q6_K 14
#define TYPE_MXFP4 39

/* MXFP4's E2M1 codes as unsigned levels: ggml's kvalues_mxfp4 plus 12. */
static const uint8_t MXFP4_LEVELS[16] = {12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0};

/*
 * Q4_K/Q5_K's 12 scale bytes as little-endian words w0, w1, w2 hold 6-bit sc_j and m_j: the packed bytes of sc0-3,
 * sc4-7, m0-3 and m4-7 (byte j % 4 of each). Macros, so that one formula serves a row (uint32_t, plain C and NEON)
 * and 8 rows at once (v8u32, the AVX2 kernels, which AVX-512 runs for Q4_K/Q5_K too).
 */
#define KQ_SC_LO(w0, w1, w2) ((w0) & 0x3f3f3f3fu)
#define KQ_SC_HI(w0, w1, w2) (((w2) & 0x0f0f0f0fu) | (((w0) >> 2) & 0x30303030u))
#define KQ_M_LO(w0, w1, w2) ((w1) & 0x3f3f3f3fu)
#define KQ_M_HI(w0, w1, w2) ((((w2) >> 4) & 0x0f0f0f0fu) | (((w1) >> 2) & 0x30303030u))

/* 8 unsigned 32-bit lanes (GCC vector extension): the KQ_ macros on 8 rows. */
typedef uint32_t v8u32 __attribute__((vector_size(32)));

static int is_affine_type(int32_t type) {
    return type == TYPE_Q4_1 || type == TYPE_Q5_0 || type == TYPE_Q5_1 || type == TYPE_Q4_K || type == TYPE_Q5_K
           || type == TYPE_Q6_K || type == TYPE_MXFP4;
}

static int64_t affine_row_bytes(int32_t type, int32_t cols) {
    switch (type) {
        case TYPE_Q4_1: return (int64_t)cols / 32 * 20;
        case TYPE_Q5_0: return (int64_t)cols / 32 * 22;
        case TYPE_Q5_1: return (int64_t)cols / 32 * 24;
        case TYPE_MXFP4: return (int64_t)cols / 32 * 17;
        case TYPE_Q4_K: return (int64_t)cols / 256 * 144;
        case TYPE_Q5_K: return (int64_t)cols / 256 * 176;
        default: return (int64_t)cols / 256 * 210;
    }
}

static int is_kquant(int32_t type) {
    return type == TYPE_Q4_K || type == TYPE_Q5_K || type == TYPE_Q6_K;
}

static int64_t legacy_block_bytes(int32_t type) {
    return type == TYPE_Q4_1 ? 20 : type == TYPE_Q5_0 ? 22 : type == TYPE_MXFP4 ? 17 : 24;
}

/* Activation sums per row: one per block (Q6_K: per 16 values), padded with zeros to a multiple of 16. */
static int32_t sum_groups(int32_t type, int32_t nb) {
    return type == TYPE_Q6_K ? 2 * nb : nb;
}

static int64_t sum_stride(int32_t type, int32_t nb) {
    return (sum_groups(type, nb) + 15) / 16 * 16;
}

/*
 * The offset terms do not depend on the weights' levels, only on a scale per group and the activations' group
 * sums. Q4_1/Q5_1 block k: sum_i m_k x_i is m_k * S_k with S_k = dx * sum(xq of block k); Q5_0: (-16*d_k) * S_k,
 * MXFP4: (-12*a_k) * S_k. Q4_K/Q5_K: sum_i (-dmin*m_j) x_i over sub-block j (32 values) is (-dmin*m_j) * S_j.
 * Q6_K: sum_i d*sc_g*(-32) x_i over group g (16 values) is d*sc_g * (-32 * S_g).
 * block_sums fills the S (Q6_K: times -32) of every group of the batch's activation rows once per call,
 * sum_stride(type, nb) floats per row, so a tile adds the offsets once per scale group.
 * Returns NULL when out of memory.
 */
static float* block_sums(int32_t type, const uint8_t* act, int64_t arb, int32_t nb, int32_t batch) {
    int64_t stride = sum_stride(type, nb);
    float* sums = (float*)calloc((size_t)(stride * batch), sizeof(float));
    if (sums == NULL) return NULL;
    for (int32_t b = 0; b < batch; b++) {
        for (int32_t k = 0; k < nb; k++) {
            const uint8_t* pair = act + b * arb + (int64_t)(k / 2) * PAIR_BYTES;
            float dx;
            memcpy(&dx, pair + 64 + (k % 2) * 32, 4);
            if (type == TYPE_Q6_K) {
                const int8_t* q = (const int8_t*)(pair + (k % 2) * QK);
                int32_t lo = 0, hi = 0;
                for (int i = 0; i < 16; i++) {
                    lo += q[i];
                    hi += q[16 + i];
                }
                sums[b * stride + 2 * k] = -32.0f * dx * (float)lo;
                sums[b * stride + 2 * k + 1] = -32.0f * dx * (float)hi;
            } else {
                int32_t negsum;
                memcpy(&negsum, pair + 128 + (k % 2) * 32, 4);
                sums[b * stride + k] = -dx * (float)negsum;
            }
        }
    }
    return sums;
}

/* 2^(e-128): MXFP4's E8M0 exponent, halved because the levels are doubled E2M1 values (ggml's e8m0_to_fp32_half). */
static float e8m0_half(uint8_t e) {
    uint32_t bits = e < 2 ? 0x00200000u << e : (uint32_t)(e - 1) << 23;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/*
 * The integer scales of K-quant super-block g of one weight row: Q4_K/Q5_K sc[0..7] and m[0..7] (6-bit), *d and
 * *dmin; Q6_K sc[0..15] (int8, per 16 values) and *d (*dmin 0).
 */
static void kq_int_scales(int32_t type, const uint8_t* wr, int32_t g, int32_t sc[16], int32_t m[8], float* d,
                          float* dmin) {
    if (type == TYPE_Q6_K) {
        const uint8_t* blk = wr + (int64_t)g * 210;
        *d = fp16_to_float(load_u16(blk + 208));
        *dmin = 0.0f;
        for (int i = 0; i < 16; i++) sc[i] = (int8_t)blk[192 + i];
        return;
    }
    const uint8_t* blk = wr + (int64_t)g * (type == TYPE_Q4_K ? 144 : 176);
    *d = fp16_to_float(load_u16(blk));
    *dmin = fp16_to_float(load_u16(blk + 2));
    uint32_t w[3];
    memcpy(w, blk + 4, 12);
    uint32_t s[2] = {KQ_SC_LO(w[0], w[1], w[2]), KQ_SC_HI(w[0], w[1], w[2])};
    uint32_t mm[2] = {KQ_M_LO(w[0], w[1], w[2]), KQ_M_HI(w[0], w[1], w[2])};
    for (int j = 0; j < 8; j++) {
        sc[j] = (int32_t)((s[j / 4] >> 8 * (j % 4)) & 0xFF);
        m[j] = (int32_t)((mm[j / 4] >> 8 * (j % 4)) & 0xFF);
    }
}

/*
 * Scales of scale group g (blocks 8g .. 8g+7) of one weight row, zeros past the row's end:
 *   a[k]   the scale of block k's levels (Q6_K: a[0..15] per 16 values)
 *   off[k] the offset per unit of S (Q6_K: off = a, the sums carry the -32)
 */
static void group_scales(int32_t type, const uint8_t* wr, int32_t g, int32_t nb, float a[16], float off[16]) {
    memset(a, 0, 16 * sizeof(float));
    memset(off, 0, 16 * sizeof(float));
    if (is_kquant(type)) {
        int32_t sc[16], m[8];
        float d, dmin;
        kq_int_scales(type, wr, g, sc, m, &d, &dmin);
        for (int i = 0; i < (type == TYPE_Q6_K ? 16 : 8); i++) {
            a[i] = d * (float)sc[i];
            off[i] = type == TYPE_Q6_K ? a[i] : -dmin * (float)m[i];
        }
        return;
    }
    int64_t size = legacy_block_bytes(type);
    for (int k = 0; k < 8 && 8 * g + k < nb; k++) {
        const uint8_t* blk = wr + (8 * (int64_t)g + k) * size;
        if (type == TYPE_MXFP4) {
            a[k] = e8m0_half(blk[0]);
            off[k] = -12.0f * a[k];
        } else {
            a[k] = fp16_to_float(load_u16(blk));
            off[k] = type == TYPE_Q5_0 ? -16.0f * a[k] : fp16_to_float(load_u16(blk + 2));
        }
    }
}

/* The 32 unsigned levels of block j of one weight row (values 32j .. 32j+31). */
static void block_levels(int32_t type, const uint8_t* wr, int32_t j, uint8_t u[32]) {
    int k = j % 8;
    if (type == TYPE_Q6_K) { /* half h of 128 values; ql bytes 32*(q%2).., nibble q/2; qh bits 2q, 2q+1 */
        const uint8_t* blk = wr + (int64_t)(j / 8) * 210;
        int h = k / 4, q = k % 4;
        const uint8_t* ql = blk + 64 * h + 32 * (q % 2);
        const uint8_t* qh = blk + 128 + 32 * h;
        for (int i = 0; i < 32; i++) u[i] = (uint8_t)(((ql[i] >> (4 * (q / 2))) & 15) | ((qh[i] >> (2 * q)) & 3) << 4);
        return;
    }
    if (is_kquant(type)) { /* Q4_K/Q5_K: 32 bytes per pair of sub-blocks, low nibbles first; Q5_K: qh bit k */
        const uint8_t* blk = wr + (int64_t)(j / 8) * (type == TYPE_Q4_K ? 144 : 176);
        const uint8_t* qs = blk + (type == TYPE_Q4_K ? 16 : 48) + 32 * (k / 2);
        for (int i = 0; i < 32; i++) {
            u[i] = (uint8_t)((qs[i] >> (4 * (k % 2))) & 15);
            if (type == TYPE_Q5_K) u[i] |= (uint8_t)(((blk[16 + i] >> k) & 1) << 4);
        }
        return;
    }
    const uint8_t* blk = wr + (int64_t)j * legacy_block_bytes(type);
    int qs = type == TYPE_Q4_1 ? 4 : type == TYPE_Q5_0 ? 6 : type == TYPE_MXFP4 ? 1 : 8;
    uint32_t qh = 0;
    if (type == TYPE_Q5_0 || type == TYPE_Q5_1) memcpy(&qh, blk + qs - 4, 4);
    for (int i = 0; i < 16; i++) {
        uint8_t lo = blk[qs + i] & 15, hi = blk[qs + i] >> 4;
        if (type == TYPE_MXFP4) {
            lo = MXFP4_LEVELS[lo];
            hi = MXFP4_LEVELS[hi];
        }
        u[i] = (uint8_t)(lo | ((qh >> i) & 1) << 4);
        u[i + 16] = (uint8_t)(hi | ((qh >> (i + 16)) & 1) << 4);
    }
}

/* Portable C (level 0): one (row, activation row) at a time, in the order described above. */
static void affine_generic(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch,
                           const float* sums, float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    int32_t nb = cols / QK;
    int64_t wrb = affine_row_bytes(type, cols);
    int64_t arb = act_row_bytes(cols);
    int64_t stride = sum_stride(type, nb);
    int per16 = type == TYPE_Q6_K;
    for (int32_t r = row_start; r < row_end; r++) {
        const uint8_t* wr = w + r * wrb;
        for (int32_t b = 0; b < batch; b++) {
            float acc = 0.0f;
            float a[16], off[16];
            uint8_t u[32];
            for (int32_t j = 0; j < nb; j++) {
                int32_t g = j / 8;
                if (j % 8 == 0) { /* the group's offsets: 8 sums (Q6_K 16) */
                    int n = per16 ? 16 : 8;
                    const float* s = sums + b * stride + (int64_t)n * g;
                    group_scales(type, wr, g, nb, a, off);
                    for (int i = 0; i < n; i++) acc = acc + off[i] * s[i];
                }
                block_levels(type, wr, j, u);
                const uint8_t* pair = act + b * arb + (int64_t)(j / 2) * PAIR_BYTES;
                const int8_t* xq = (const int8_t*)(pair + (j % 2) * QK);
                float dx;
                memcpy(&dx, pair + 64 + (j % 2) * 32, 4);
                for (int h = 0; h < 2; h++) {
                    int32_t isum = 0;
                    for (int i = 16 * h; i < 16 * h + 16; i++) isum += (int32_t)u[i] * xq[i];
                    float scale = per16 ? a[2 * (j % 8) + h] : a[j % 8];
                    acc = acc + ((float)isum * scale) * dx;
                }
            }
            out[b * rows + r] = acc;
        }
    }
}

#endif
