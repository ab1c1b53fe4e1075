/* AVX2 + FMA + F16C kernels (level 1): Q8_0/Q4_0 row-interleaved (kernels_rows8_avx2.h: 8 rows per register, tiles of
 * 8 rows x 4 activation rows); float types 8 values per register, tiles of 4 rows x 2 activation rows.
 * Part of canopy_kernels.c (one translation unit): include only from there. */
#ifndef CANOPY_KERNELS_AVX2_H
#define CANOPY_KERNELS_AVX2_H


T256 INLINE float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/*
 * Q8_0 / Q4_0 (row-interleaved, kernels_rows8_avx2.h): block j of 8 rows. v[c] the weights (Q8_0 signed, Q4_0
 * nibbles 0..15), u[c] the unsigned maddubs operands (Q8_0 |w|, Q4_0 the nibbles), d the rows' scales. Rows past
 * the tile's end are zeros.
 */
typedef struct {
    __m256i v[8];
    __m256i u[8];
    __m256 d;
} quant_block8;

/* Block j of 8 rows, interleaved, into v; returns the rows' scales. */
T256 INLINE __m256 load_block8(int32_t type, const uint8_t* w, int64_t wrb, int32_t j, int nr, __m256i v[8]) {
    int64_t size = type == TYPE_Q8_0 ? 34 : 18;
    const uint8_t* blk = w + (int64_t)j * size;
    for (int i = 0; i < 8; i++) {
        if (i >= nr) {
            v[i] = _mm256_setzero_si256();
            continue;
        }
        _mm_prefetch((const char*)(blk + (i + ROWS8) * wrb), _MM_HINT_T0); /* where the next tile reads */
        if (type == TYPE_Q8_0) {
            v[i] = _mm256_loadu_si256((const __m256i*)(blk + i * wrb + 2));
        } else { /* values 0..15 low nibbles, 16..31 high nibbles */
            __m128i q = _mm_loadu_si128((const __m128i*)(blk + i * wrb + 2));
            __m128i m = _mm_set1_epi8(15);
            v[i] = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_and_si128(q, m)),
                                           _mm_and_si128(_mm_srli_epi16(q, 4), m), 1);
        }
    }
    interleave8x8(v);
    return halves8(blk, wrb, 0, nr);
}

/* acc[b] += (d * dx_b) * (exact integer dot product of block j with activation row b), 8 rows per lane.
 * u: the unsigned operands of v, or NULL to derive them here. */
T256 INLINE void multiply_block8(int32_t type, const __m256i v[8], const __m256i* u, __m256 d, const uint8_t* act,
                                 int64_t arb, int32_t j, __m256 acc[COLS8], const int B) {
    const __m256i ones = _mm256_set1_epi16(1);
    for (int b = 0; b < B; b++) {
        const uint8_t* ap = act + b * arb + (int64_t)(j / 2) * PAIR_BYTES;
        const uint8_t* xq = ap + (j % 2) * QK;
        __m256i isum;
        if (type == TYPE_Q8_0) { /* |w| times x with w's sign: 2 * 128 * 127 < 32767, one madd per chunk */
            isum = _mm256_setzero_si256();
            for (int c = 0; c < 8; c++) {
                __m256i uc = u ? u[c] : _mm256_sign_epi8(v[c], v[c]);
                __m256i p = _mm256_maddubs_epi16(uc, _mm256_sign_epi8(act_chunk(xq, c), v[c]));
                isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, ones));
            }
        } else { /* nibbles times x, 16-bit sums of all 8 chunks (8 * 2 * 15 * 127 < 32767), minus 8 * sum(x) */
            int32_t negsum;
            memcpy(&negsum, ap + 128 + (j % 2) * 32, 4);
            isum = _mm256_add_epi32(chunk_dots(v, xq, 0, 8, 8), _mm256_set1_epi32(negsum * 8));
        }
        __m256 dx = _mm256_loadu_ps((const float*)(ap + 64) + (j % 2) * 8);
        acc[b] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_mul_ps(d, dx), acc[b]);
    }
}

/* A tile of 8 rows x B activation rows; weights from the matrix (scratch NULL: the decode case) or from
 * repack_rows8 (the prefill case). */
T256 INLINE void quant_tile8(int32_t type, const uint8_t* w, int64_t wrb, const quant_block8* scratch,
                             const uint8_t* act, int64_t arb, int32_t nb, float* out, int64_t rows, int nr,
                             const int B) {
    __m256 acc[COLS8];
    for (int b = 0; b < B; b++) acc[b] = _mm256_setzero_ps();
    if (scratch) {
        for (int32_t j = 0; j < nb; j++) multiply_block8(type, scratch[j].v, scratch[j].u, scratch[j].d, act, arb, j, acc, B);
    } else {
        for (int32_t j = 0; j < nb; j++) {
            __m256i v[8];
            __m256 d = load_block8(type, w, wrb, j, nr, v);
            multiply_block8(type, v, NULL, d, act, arb, j, acc, B);
        }
    }
    for (int b = 0; b < B; b++) store_rows8(out + b * rows, acc[b], nr);
}

/* Interleaves a tile of rows once, so the tiles of a large batch do not each redo it. */
T256 INLINE void repack_rows8(int32_t type, const uint8_t* w, int64_t wrb, int32_t nb, int nr, quant_block8* scratch) {
    for (int32_t j = 0; j < nb; j++) {
        scratch[j].d = load_block8(type, w, wrb, j, nr, scratch[j].v);
        for (int c = 0; c < 8; c++) scratch[j].u[c] = type == TYPE_Q8_0 ? _mm256_sign_epi8(scratch[j].v[c], scratch[j].v[c]) : scratch[j].v[c];
    }
}

T256 static void quant_avx2(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch,
                            float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    int32_t nb = cols / QK;
    int64_t wrb = row_bytes(type, cols);
    int64_t arb = act_row_bytes(cols);
    quant_block8* scratch = batch > COLS8 ? aligned_alloc(32, sizeof(quant_block8) * (size_t)nb) : NULL;
#define QTILE8(B) quant_tile8(type, w + r0 * wrb, wrb, scratch, act + b0 * arb, arb, nb, out + b0 * rows + r0, rows, nr, B)
    FOR_TILES8(if (scratch) repack_rows8(type, w + r0 * wrb, wrb, nb, nr, scratch), QTILE8)
#undef QTILE8
    free(scratch);
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

T256 static float amax_avx2(const float* v, int32_t n) {
    __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    for (int64_t i = 0; i < (int64_t)n * QK; i += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(v + i)));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    return _mm_cvtss_f32(m4);
}

T256 static int32_t quantize_block_avx2(const float* v, float amax_floor, int8_t* q, float* d_out) {
    __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_andnot_ps(sign, _mm256_loadu_ps(v));
    for (int i = 8; i < QK; i += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(v + i)));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    float amax = _mm_cvtss_f32(m4);
    float d = (amax > amax_floor ? amax : amax_floor) / 127.0f;
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
