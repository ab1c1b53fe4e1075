/*
 * AVX2 + FMA + F16C kernels (level 1) for the affine types (kernels_affine_common.h): Q4_1, Q5_0, Q5_1, Q4_K, Q5_K,
 * Q6_K and MXFP4; also MXFP4 at level 2. One block of 32 per 256-bit register, tiles of 4 rows x 4 activation rows.
 * Per block the 32 unsigned levels u (0..63) meet the block's 32 quantized activations in one maddubs + madd
 * (8 int32 lanes of 4 values: no saturation, 2 * 63 * 127 < 32767); per scale group (8 blocks) the scales come from
 * group_scales and the offsets are added with one multiply-add per 8 lanes. Every (row, activation row) pair
 * accumulates its own lanes in block order, whatever tile it is in: results do not depend on batch or row range.
 * Part of canopy_kernels.c (one translation unit): include only from there.
 */
#ifndef CANOPY_KERNELS_AFFINE_AVX2_H
#define CANOPY_KERNELS_AFFINE_AVX2_H

/* (v >> shift) & mask per byte (shift < 8, mask below 2^(8 - shift)). */
T256 INLINE __m256i bits256(__m256i v, int shift, int mask) {
    return _mm256_and_si256(_mm256_srl_epi16(v, _mm_cvtsi32_si128(shift)), _mm256_set1_epi8((char)mask));
}

/* 16 at byte i where bit i of qh is set, for Q5_0/Q5_1's fifth bits. */
T256 INLINE __m256i fifth_bits256(uint32_t qh) {
    const __m256i spread = _mm256_setr_epi64x(0, 0x0101010101010101LL, 0x0202020202020202LL, 0x0303030303030303LL);
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)qh), spread); /* byte i: byte i/8 of qh */
    v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
    return _mm256_and_si256(v, _mm256_set1_epi8(16));
}

/* The 32 unsigned levels of block j of one weight row: block_levels, vectorized. */
T256 INLINE __m256i levels256(int32_t type, const uint8_t* wr, int32_t j) {
    int k = j % 8;
    if (type == TYPE_Q6_K) {
        const uint8_t* blk = wr + (int64_t)(j / 8) * 210;
        int h = k / 4, q = k % 4;
        __m256i ql = _mm256_loadu_si256((const __m256i*)(blk + 64 * h + 32 * (q % 2)));
        __m256i qh = _mm256_loadu_si256((const __m256i*)(blk + 128 + 32 * h));
        return _mm256_or_si256(bits256(ql, 4 * (q / 2), 15), _mm256_slli_epi16(bits256(qh, 2 * q, 3), 4));
    }
    if (is_kquant(type)) {
        const uint8_t* blk = wr + (int64_t)(j / 8) * (type == TYPE_Q4_K ? 144 : 176);
        __m256i q = _mm256_loadu_si256((const __m256i*)(blk + (type == TYPE_Q4_K ? 16 : 48) + 32 * (k / 2)));
        __m256i u = bits256(q, 4 * (k % 2), 15);
        if (type == TYPE_Q5_K) {
            __m256i qh = _mm256_loadu_si256((const __m256i*)(blk + 16));
            u = _mm256_or_si256(u, _mm256_slli_epi16(bits256(qh, k, 1), 4));
        }
        return u;
    }
    const uint8_t* blk = wr + (int64_t)j * legacy_block_bytes(type);
    int qs = type == TYPE_Q4_1 ? 4 : type == TYPE_Q5_0 ? 6 : type == TYPE_MXFP4 ? 1 : 8;
    __m128i q = _mm_loadu_si128((const __m128i*)(blk + qs));
    __m128i m = _mm_set1_epi8(15);
    __m128i lo = _mm_and_si128(q, m);
    __m128i hi = _mm_and_si128(_mm_srli_epi16(q, 4), m);
    if (type == TYPE_MXFP4) {
        __m128i table = _mm_loadu_si128((const __m128i*)MXFP4_LEVELS);
        lo = _mm_shuffle_epi8(table, lo);
        hi = _mm_shuffle_epi8(table, hi);
    }
    __m256i u = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
    if (type == TYPE_Q5_0 || type == TYPE_Q5_1) {
        uint32_t qh;
        memcpy(&qh, blk + qs - 4, 4);
        u = _mm256_or_si256(u, fifth_bits256(qh));
    }
    return u;
}

/*
 * group_scales with F16C and 8-lane conversions (the scalar version costs more than the group's dot products):
 * Q4_K/Q5_K sc/m unpacked from the 12 bytes as 32-bit words w0..w2: sc0-3 = w0 & 63, m0-3 = w1 & 63,
 * sc4-7 = (w2 & 15) | (w0 >> 6) << 4, m4-7 = (w2 >> 4 & 15) | (w1 >> 6) << 4 (per byte).
 */
T256 INLINE void group_scales256(int32_t type, const uint8_t* wr, int32_t g, int32_t nb, float* a, float* off) {
    if (type == TYPE_Q6_K) {
        const uint8_t* blk = wr + (int64_t)g * 210;
        __m256 d = _mm256_set1_ps(_cvtsh_ss(load_u16(blk + 208)));
        __m128i sc = _mm_loadu_si128((const __m128i*)(blk + 192));
        __m256 lo = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(sc)), d);
        __m256 hi = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(sc, 8))), d);
        _mm256_storeu_ps(a, lo);
        _mm256_storeu_ps(a + 8, hi);
        _mm256_storeu_ps(off, lo);
        _mm256_storeu_ps(off + 8, hi);
        return;
    }
    if (is_kquant(type)) {
        const uint8_t* blk = wr + (int64_t)g * (type == TYPE_Q4_K ? 144 : 176);
        uint32_t w[3];
        memcpy(w, blk + 4, 12);
        __m128i sc = _mm_setr_epi32((int)(w[0] & 0x3f3f3f3fu),
                                    (int)((w[2] & 0x0f0f0f0fu) | ((w[0] >> 6) & 0x03030303u) << 4), 0, 0);
        __m128i m = _mm_setr_epi32((int)(w[1] & 0x3f3f3f3fu),
                                   (int)(((w[2] >> 4) & 0x0f0f0f0fu) | ((w[1] >> 6) & 0x03030303u) << 4), 0, 0);
        __m256 d = _mm256_set1_ps(_cvtsh_ss(load_u16(blk)));
        __m256 dmin = _mm256_set1_ps(-_cvtsh_ss(load_u16(blk + 2)));
        _mm256_storeu_ps(a, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(sc))));
        _mm256_storeu_ps(off, _mm256_mul_ps(dmin, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(m))));
        return;
    }
    int64_t size = legacy_block_bytes(type);
    int n = nb - 8 * g < 8 ? nb - 8 * g : 8;
    const uint8_t* blk = wr + 8 * (int64_t)g * size;
    if (type == TYPE_MXFP4) {
        for (int k = 0; k < 8; k++) a[k] = k < n ? e8m0_half(blk[k * size]) : 0.0f;
        _mm256_storeu_ps(off, _mm256_mul_ps(_mm256_loadu_ps(a), _mm256_set1_ps(-12.0f)));
        return;
    }
    uint16_t d[8] = {0}, m[8] = {0}; /* the blocks' fp16 d and (Q4_1/Q5_1) m, converted 8 at a time */
    for (int k = 0; k < n; k++) {
        d[k] = load_u16(blk + k * size);
        m[k] = load_u16(blk + k * size + 2);
    }
    __m256 dv = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)d));
    _mm256_storeu_ps(a, dv);
    _mm256_storeu_ps(off, type == TYPE_Q5_0 ? _mm256_mul_ps(dv, _mm256_set1_ps(-16.0f))
                                            : _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)m)));
}

/* Per int32 lane (4 values) of block k of a scale group, the scale of its levels. */
T256 INLINE __m256 block_scale256(int32_t type, const float* a, int k) {
    if (type == TYPE_Q6_K) return _mm256_setr_m128(_mm_set1_ps(a[2 * k]), _mm_set1_ps(a[2 * k + 1]));
    return _mm256_set1_ps(a[k]);
}

T256 INLINE void affine_tile256(int32_t type, const uint8_t* w, int64_t wrb, const uint8_t* act, int64_t arb,
                                int32_t nb, const float* sums, int64_t stride, float* out, int64_t rows, const int R,
                                const int B) {
    __m256 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) acc[r][b] = _mm256_setzero_ps();
    float a[4][16], off[4][16]; /* per row: the scale group's scales and offsets */
    const int per16 = type == TYPE_Q6_K;
    const __m256i ones = _mm256_set1_epi16(1);
    int64_t block_bytes = wrb / nb; /* average, to prefetch ahead */
    for (int32_t j = 0; j < nb; j++) {
        int k = j % 8;
        if (k == 0) { /* a new scale group: its scales, and its offsets times the activation sums */
            int32_t g = j / 8;
            for (int r = 0; r < R; r++) group_scales256(type, w + r * wrb, g, nb, a[r], off[r]);
            for (int b = 0; b < B; b++) {
                const float* s = sums + b * stride + (int64_t)(per16 ? 16 : 8) * g;
                __m256 s0 = _mm256_loadu_ps(s);
                for (int r = 0; r < R; r++) {
                    acc[r][b] = _mm256_fmadd_ps(_mm256_loadu_ps(off[r]), s0, acc[r][b]);
                    if (per16) acc[r][b] = _mm256_fmadd_ps(_mm256_loadu_ps(off[r] + 8), _mm256_loadu_ps(s + 8), acc[r][b]);
                }
            }
        }
        __m256i u[4];
        __m256 sc[4];
        for (int r = 0; r < R; r++) {
            PREFETCH_NEXT_TILE(w + r * wrb + j * block_bytes, wrb);
            u[r] = levels256(type, w + r * wrb, j);
            sc[r] = block_scale256(type, a[r], k);
        }
        for (int b = 0; b < B; b++) {
            const uint8_t* ap = act + b * arb + (int64_t)(j / 2) * PAIR_BYTES;
            __m256i xq = _mm256_loadu_si256((const __m256i*)(ap + (j % 2) * QK));
            __m256 dx = _mm256_loadu_ps((const float*)(ap + 64) + (j % 2) * 8);
            for (int r = 0; r < R; r++) {
                __m256i dot = _mm256_madd_epi16(_mm256_maddubs_epi16(u[r], xq), ones);
                acc[r][b] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(dot), sc[r]), dx, acc[r][b]);
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) out[b * rows + r] = hsum256(acc[r][b]);
}

/* One type's kernel: the type is a constant in each copy, so its branches fold away. */
#define AFFINE_KERNEL256(NAME, TYPE)                                                                              \
    T256 static void NAME(const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch, const float* sums,   \
                          float* out, int64_t rows, int32_t row_start, int32_t row_end) {                         \
        const int32_t type = TYPE;                                                                               \
        int32_t nb = cols / QK;                                                                                  \
        int64_t wrb = affine_row_bytes(type, cols);                                                              \
        int64_t arb = act_row_bytes(cols);                                                                       \
        int64_t stride = sum_stride(type, nb);                                                                   \
        FOR_TILES(4, 4, ATILE256)                                                                                \
    }
#define ATILE256(R, B)                                                                                            \
    affine_tile256(type, w + r0 * wrb, wrb, act + b0 * arb, arb, nb, sums + b0 * stride, stride,                 \
                   out + b0 * rows + r0, rows, R, B)
AFFINE_KERNEL256(affine_q4_1_avx2, TYPE_Q4_1)
AFFINE_KERNEL256(affine_q5_0_avx2, TYPE_Q5_0)
AFFINE_KERNEL256(affine_q5_1_avx2, TYPE_Q5_1)
AFFINE_KERNEL256(affine_q4_k_avx2, TYPE_Q4_K)
AFFINE_KERNEL256(affine_q5_k_avx2, TYPE_Q5_K)
AFFINE_KERNEL256(affine_q6_k_avx2, TYPE_Q6_K)
AFFINE_KERNEL256(affine_mxfp4_avx2, TYPE_MXFP4)
#undef ATILE256
#undef AFFINE_KERNEL256

T256 static void affine_avx2(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch,
                             const float* sums, float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    switch (type) {
        case TYPE_Q4_1: affine_q4_1_avx2(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        case TYPE_Q5_0: affine_q5_0_avx2(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        case TYPE_Q5_1: affine_q5_1_avx2(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        case TYPE_Q4_K: affine_q4_k_avx2(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        case TYPE_Q5_K: affine_q5_k_avx2(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        case TYPE_Q6_K: affine_q6_k_avx2(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        default: affine_mxfp4_avx2(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
    }
}

#endif
