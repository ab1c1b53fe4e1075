/* AVX2 + FMA + F16C kernels (level 1): one 32-block per 256-bit register, tiles of 4 rows x 4 (quantized) or 2 (float) activation rows.
 * Part of canopy_kernels.c (one translation unit): include only from there. */
#ifndef CANOPY_KERNELS_AVX2_H
#define CANOPY_KERNELS_AVX2_H


T256 INLINE float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* Integer dot product of one weight block with one activation block, as 8 int32 lanes. */
T256 INLINE __m256i block_dot256(int32_t type, __m256i wv, const uint8_t* apair, int half) {
    __m256i xq = _mm256_loadu_si256((const __m256i*)(apair + half * 32));
    __m256i ones = _mm256_set1_epi16(1);
    if (type == TYPE_Q8_0) { /* |w| (unsigned) times x with w's sign: no saturation since |w| <= 128, |x| <= 127 */
        __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xq, wv));
        return _mm256_madd_epi16(p, ones);
    }
    __m256i corr = _mm256_slli_epi32(_mm256_loadu_si256((const __m256i*)(apair + 128 + half * 32)), 3);
    __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(wv, xq), ones); /* nibbles 0..15 times x */
    return _mm256_add_epi32(p, corr);
}

T256 INLINE void quant_tile256(int32_t type, const uint8_t* w, int64_t wrb, const uint8_t* act, int64_t arb,
                               int32_t nb, float* out, int64_t rows, const int R, const int B) {
    __m256 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) acc[r][b] = _mm256_setzero_ps();
    for (int32_t j = 0; j < nb; j++) {
        __m256i wv[4];
        __m256 dw[4];
        for (int r = 0; r < R; r++) {
            if (type == TYPE_Q8_0) {
                const uint8_t* blk = w + r * wrb + (int64_t)j * 34;
                PREFETCH_NEXT_TILE(blk, wrb);
                wv[r] = _mm256_loadu_si256((const __m256i*)(blk + 2));
                dw[r] = _mm256_set1_ps(_cvtsh_ss(load_u16(blk)));
            } else {
                const uint8_t* blk = w + r * wrb + (int64_t)j * 18;
                PREFETCH_NEXT_TILE(blk, wrb);
                __m128i q = _mm_loadu_si128((const __m128i*)(blk + 2));
                __m128i m = _mm_set1_epi8(15);
                wv[r] = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_and_si128(q, m)),
                                                _mm_and_si128(_mm_srli_epi16(q, 4), m), 1);
                dw[r] = _mm256_set1_ps(_cvtsh_ss(load_u16(blk)));
            }
        }
        for (int b = 0; b < B; b++) {
            const uint8_t* apair = act + b * arb + (int64_t)(j / 2) * PAIR_BYTES;
            __m256 dx = _mm256_loadu_ps((const float*)(apair + 64) + (j % 2) * 8);
            for (int r = 0; r < R; r++) {
                __m256i s = block_dot256(type, wv[r], apair, j % 2);
                acc[r][b] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw[r], dx), acc[r][b]);
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) out[b * rows + r] = hsum256(acc[r][b]);
}

T256 static void quant_avx2(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch,
                            float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    int32_t nb = cols / QK;
    int64_t wrb = row_bytes(type, cols);
    int64_t arb = act_row_bytes(cols);
#define QTILE256(R, B) \
    quant_tile256(type, w + r0 * wrb, wrb, act + b0 * arb, arb, nb, out + b0 * rows + r0, rows, R, B)
    FOR_TILES(4, 4, QTILE256)
#undef QTILE256
}

/* Loads 8 weights from column c as floats; `n` < 8 loads only the first n (the rest are 0). */
T256 INLINE __m256 load_weights256(int32_t type, const uint8_t* wr, int32_t c, int n) {
    if (type == TYPE_F32) {
        if (n == 8) return _mm256_loadu_ps((const float*)wr + c);
        __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        return _mm256_maskload_ps((const float*)wr + c, mask);
    }
    __m128i h;
    if (n == 8) {
        h = _mm_loadu_si128((const __m128i*)(wr + 2LL * c));
    } else {
        uint16_t tmp[8] = {0};
        memcpy(tmp, wr + 2LL * c, 2 * (size_t)n);
        h = _mm_loadu_si128((const __m128i*)tmp);
    }
    if (type == TYPE_F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

T256 INLINE __m256 load_x256(const float* xr, int32_t c, int n) {
    if (n == 8) return _mm256_loadu_ps(xr + c);
    __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_maskload_ps(xr + c, mask);
}

T256 INLINE void float_tile256(int32_t type, const uint8_t* w, int64_t wrb, const float* x, int32_t cols, float* out,
                               int64_t rows, const int R, const int B) {
    __m256 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) acc[r][b] = _mm256_setzero_ps();
    for (int32_t c = 0; c < cols; c += 8) {
        int n = cols - c < 8 ? cols - c : 8;
        __m256 wv[4];
        for (int r = 0; r < R; r++) {
            if (c % 32 == 0) PREFETCH_NEXT_TILE(w + r * wrb + (type == TYPE_F32 ? 4LL : 2LL) * c, wrb);
            wv[r] = load_weights256(type, w + r * wrb, c, n);
        }
        for (int b = 0; b < B; b++) {
            __m256 xv = load_x256(x + (int64_t)b * cols, c, n);
            for (int r = 0; r < R; r++) acc[r][b] = _mm256_fmadd_ps(wv[r], xv, acc[r][b]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) out[b * rows + r] = hsum256(acc[r][b]);
}

T256 static void float_avx2(int32_t type, const uint8_t* w, int32_t cols, const float* x, int32_t batch, float* out,
                            int64_t rows, int32_t row_start, int32_t row_end) {
    int64_t wrb = row_bytes(type, cols);
#define FTILE256(R, B) float_tile256(type, w + r0 * wrb, wrb, x + (int64_t)b0 * cols, cols, out + b0 * rows + r0, rows, R, B)
    FOR_TILES(4, 2, FTILE256)
#undef FTILE256
}

T256 static int32_t quantize_block_avx2(const float* v, int8_t* q, float* d_out) {
    __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_andnot_ps(sign, _mm256_loadu_ps(v));
    for (int i = 8; i < QK; i += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(v + i)));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    float d = _mm_cvtss_f32(m4) / 127.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    int32_t tmp[QK];
    __m256i sum = _mm256_setzero_si256();
    for (int i = 0; i < QK; i += 8) {
        __m256i n = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(v + i), _mm256_set1_ps(id)));
        n = _mm256_max_epi32(_mm256_min_epi32(n, _mm256_set1_epi32(127)), _mm256_set1_epi32(-127));
        sum = _mm256_add_epi32(sum, n);
        _mm256_storeu_si256((__m256i*)(tmp + i), n);
    }
    for (int i = 0; i < QK; i++) q[i] = (int8_t)tmp[i];
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
    *d_out = d;
    return -_mm_cvtsi128_si32(s4);
}

#endif
