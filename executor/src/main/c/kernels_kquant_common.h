/*
 * The K-quants (Q4_K, Q5_K, Q6_K) in integers per super-block, as llama.cpp's q4_K/q6_K x q8_K dot products:
 * their activations carry ONE scale dx per 256 values (canopy_quantize_grouped with canopy_act_group(type) = 8),
 * so the integer sub-block scales multiply the integer sub-block dot products in integers and each super-block of
 * a (row, activation row) pair costs one float step:
 *   Q4_K/Q5_K: S1 = sum_j sc_j * sum_i u_i xq_i,  S2 = sum_j m_j * bs_j     (j: 8 sub-blocks of 32, bs_j = sum xq)
 *              acc += (d * dx) * S1, then acc += (-dmin * dx) * S2
 *   Q6_K:      S = sum_g sc_g * sum_i u_i xq_i  -  32 * sum_g sc_g * bs_g    (g: 16 groups of 16, u = level + 32)
 *              acc += (d * dx) * S
 * No int32 overflow: Q4_K |S1| <= 8*63*32*15*127 = 30.7M, Q5_K 8*63*32*31*127 = 63.5M, |S2| <= 8*63*32*127 = 2.1M;
 * Q6_K |S| <= 16*128*16*63*127 + 32*16*128*16*127 = 395M < 2^31. The integers are exact whatever order they are
 * summed in, so every tile computes the same S and goes through the same float operations: outputs do not depend
 * on the batch, tile or row range.
 * Used at level 0 (affine_generic's reference for these types), AVX2 (kernels_kquant_avx2.h) and, for Q4_K/Q5_K,
 * AVX-512 (the same kernels with VNNI); AVX-512 Q6_K and NEON keep the per-block float scheme of
 * kernels_affine_common.h, which is exact for equal block scales too.
 * Part of canopy_kernels.c.
 */
#ifndef CANOPY_KERNELS_KQUANT_COMMON_H
#define CANOPY_KERNELS_KQUANT_COMMON_H

/* One activation row's super-block: its scale and its block sums (Q4_K/Q5_K: 8 per 32 values, Q6_K: 16 per 16),
 * also as pair words (int16 lo | hi << 16) that meet the weights' 16-bit scale pairs in one madd:
 * Q4_K/Q5_K pair[2h + o] = (bs[4h + o], bs[4h + o + 2]) (o = 0, 1), Q6_K pair[2q + o] = (bs[4q + o], bs[4q + o + 2]). */
typedef struct {
    float dx;
    int32_t bs[16];
    uint32_t pair[8];
} kq_act;

static uint32_t pair16(int32_t lo, int32_t hi) {
    return (uint32_t)(uint16_t)lo | (uint32_t)(uint16_t)hi << 16;
}

/* Whether the blocks of every super-block of `batch` activation rows share one scale (canopy_quantize_grouped with
 * canopy_act_group(type) blocks per scale), as every level's K-quant kernels need. */
static int kq_act_grouped(const uint8_t* act, int64_t arb, int32_t nb, int32_t batch) {
    for (int32_t b = 0; b < batch; b++) {
        for (int32_t j = 0; j < nb; j++) {
            const uint8_t* row = act + b * arb;
            if (memcmp(row + (int64_t)(j / 2) * PAIR_BYTES + 64 + (j % 2) * 32, row + (int64_t)(j / 8 * 4) * PAIR_BYTES + 64, 4) != 0)
                return 0;
        }
    }
    return 1;
}

/* The kq_act of every super-block of `batch` grouped activation rows (nb / 8 per row); NULL when out of memory. */
static kq_act* kq_act_sums(int32_t type, const uint8_t* act, int64_t arb, int32_t nb, int32_t batch) {
    int32_t nsb = nb / 8;
    kq_act* ka = (kq_act*)malloc(((size_t)nsb * (size_t)batch + 1) * sizeof(kq_act));
    if (ka == NULL) return NULL;
    for (int32_t b = 0; b < batch; b++) {
        for (int32_t g = 0; g < nsb; g++) {
            kq_act* a = ka + (int64_t)b * nsb + g;
            for (int k = 0; k < 8; k++) {
                const uint8_t* pair = act + b * arb + (int64_t)(4 * g + k / 2) * PAIR_BYTES;
                if (k == 0) memcpy(&a->dx, pair + 64, 4);
                int32_t negsum;
                memcpy(&negsum, pair + 128 + (k % 2) * 32, 4);
                if (type == TYPE_Q6_K) { /* per 16 values */
                    const int8_t* q = (const int8_t*)(pair + (k % 2) * QK);
                    int32_t lo = 0;
                    for (int i = 0; i < 16; i++) lo += q[i];
                    a->bs[2 * k] = lo;
                    a->bs[2 * k + 1] = -negsum - lo;
                } else {
                    a->bs[k] = -negsum;
                }
            }
            for (int p = 0; p < (type == TYPE_Q6_K ? 8 : 4); p++) {
                int base = 4 * (p / 2) + p % 2;
                a->pair[p] = pair16(a->bs[base], a->bs[base + 2]);
            }
        }
    }
    return ka;
}

/* Portable C (level 0): one (row, activation row) at a time, in the order described above. */
static void kquant_generic(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, const kq_act* ka,
                           int32_t batch, float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    int32_t nb = cols / QK, nsb = nb / 8;
    int64_t wrb = affine_row_bytes(type, cols);
    int64_t arb = act_row_bytes(cols);
    for (int32_t r = row_start; r < row_end; r++) {
        const uint8_t* wr = w + r * wrb;
        for (int32_t b = 0; b < batch; b++) {
            float acc = 0.0f;
            for (int32_t g = 0; g < nsb; g++) {
                const kq_act* a = ka + (int64_t)b * nsb + g;
                int32_t sc[16], m[8];
                float d, dmin;
                kq_int_scales(type, wr, g, sc, m, &d, &dmin);
                int32_t s1 = 0, s2 = 0;
                for (int k = 0; k < 8; k++) {
                    uint8_t u[32];
                    int32_t j = 8 * g + k;
                    block_levels(type, wr, j, u);
                    const int8_t* xq = (const int8_t*)(act + b * arb + (int64_t)(j / 2) * PAIR_BYTES + (j % 2) * QK);
                    int32_t dot[2] = {0, 0};
                    for (int i = 0; i < 32; i++) dot[i / 16] += (int32_t)u[i] * xq[i];
                    s1 += type == TYPE_Q6_K ? sc[2 * k] * dot[0] + sc[2 * k + 1] * dot[1] : sc[k] * (dot[0] + dot[1]);
                }
                for (int i = 0; i < (type == TYPE_Q6_K ? 16 : 8); i++) s2 += (type == TYPE_Q6_K ? sc[i] : m[i]) * a->bs[i];
                if (type == TYPE_Q6_K) {
                    acc = acc + (d * a->dx) * (float)(s1 - 32 * s2);
                } else {
                    acc = acc + (d * a->dx) * (float)s1;
                    acc = acc + (-dmin * a->dx) * (float)s2;
                }
            }
            out[b * rows + r] = acc;
        }
    }
}

#endif
