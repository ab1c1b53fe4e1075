/* AVX-512 VNNI kernels (level 2): two 32-blocks per 512-bit register, tiles of 4 rows x 4 activation rows.
 * Part of canopy_kernels.c (one translation unit): include only from there. */
#ifndef CANOPY_KERNELS_AVX512_H
#define CANOPY_KERNELS_AVX512_H


/* The fp16 scales of blocks 2p (at blk) and 2p+1 (at blk + next; 0 when !full) as floats, the first in lanes 0-7
 * and the second in lanes 8-15, by one vector conversion (the same exact values as two scalar ones). */
T512 INLINE __m512 pair_scales512(const uint8_t* blk, int64_t next, int full) {
    uint32_t both = (uint32_t)load_u16(blk) | (full ? (uint32_t)load_u16(blk + next) << 16 : 0u);
    __m256i h = _mm256_shuffle_epi8(_mm256_set1_epi32((int)both),
                                    _mm256_setr_epi8(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
                                                     2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3));
    return _mm512_cvtph_ps(h);
}

/* Weights of blocks 2p and 2p+1 (only 2p when !full) as unsigned bytes: Q8_0 offset by +128, Q4_0 nibbles. */
T512 INLINE __m512i load_pair512(int32_t type, const uint8_t* blk, int full, __m512* dw) {
    if (type == TYPE_Q8_0) {
        __m256i lo = _mm256_loadu_si256((const __m256i*)(blk + 2));
        __m512i v = full ? _mm512_inserti64x4(_mm512_castsi256_si512(lo), _mm256_loadu_si256((const __m256i*)(blk + 36)), 1)
                         : _mm512_zextsi256_si512(lo);
        *dw = pair_scales512(blk, 34, full);
        return _mm512_xor_si512(v, _mm512_set1_epi8((char)0x80));
    }
    /* [qs0 qs0 qs1 qs1] from two broadcast loads and one insert, then the odd 128-bit lanes shifted by 4 in the same
       variable shift: [lo0 hi0 lo1 hi1] (where two inserts and a cross-lane shuffle made it) */
    __m256i a = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*)(blk + 2)));
    __m256i b = full ? _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*)(blk + 20))) : _mm256_setzero_si256();
    __m512i v = _mm512_inserti64x4(_mm512_castsi256_si512(a), b, 1);
    const long long four = 0x0004000400040004LL;
    v = _mm512_and_si512(_mm512_srlv_epi16(v, _mm512_set_epi64(four, four, 0, 0, four, four, 0, 0)), _mm512_set1_epi8(15));
    *dw = pair_scales512(blk, 18, full);
    return v;
}

/* Weight bytes and scales of one pair of blocks for up to 4 rows, as load_pair512 makes them. */
typedef struct {
    __m512i wv[4];
    __m512 dw[4];
} weight_pair512;

/* acc[r][b] += (dw[r] * dx[b]) * sum(w[r] * x[b]) for one pair of blocks: the one sequence of operations
 * every output element goes through, whichever tile and weight source (direct or repacked). */
T512 INLINE void multiply_pair512(int32_t type, const weight_pair512* wp, const uint8_t* act, int64_t arb, int32_t p,
                                  __m512 acc[4][4], const int R, const int B) {
    int shift = type == TYPE_Q8_0 ? 7 : 3; /* the unsigned weights carry +128 (Q8_0) or +8 (Q4_0) */
    for (int b = 0; b < B; b++) {
        const uint8_t* ap = act + b * arb + (int64_t)p * PAIR_BYTES;
        __m512i xq = _mm512_loadu_si512(ap);
        __m512 dx = _mm512_loadu_ps(ap + 64);
        __m512i corr = _mm512_slli_epi32(_mm512_loadu_si512(ap + 128), shift);
        for (int r = 0; r < R; r++) {
            __m512i s = _mm512_dpbusd_epi32(corr, wp->wv[r], xq);
            acc[r][b] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(wp->dw[r], dx), acc[r][b]);
        }
    }
}

T512 INLINE void store_sums512(__m512 acc[4][4], float* out, int64_t rows, const int R, const int B) {
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) out[b * rows + r] = _mm512_reduce_add_ps(acc[r][b]);
}

/* A tile reading the weights straight from the matrix (few activation rows: the decode case). */
T512 INLINE void quant_tile512(int32_t type, const uint8_t* w, int64_t wrb, const uint8_t* act, int64_t arb,
                               int32_t nb, float* out, int64_t rows, const int R, const int B) {
    int64_t blk_bytes = type == TYPE_Q8_0 ? 34 : 18;
    __m512 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) acc[r][b] = _mm512_setzero_ps();
    for (int32_t p = 0; p < (nb + 1) / 2; p++) {
        weight_pair512 wp;
        for (int r = 0; r < R; r++) {
            const uint8_t* blk = w + r * wrb + 2 * p * blk_bytes;
            PREFETCH_NEXT_TILE(blk, wrb);
            wp.wv[r] = load_pair512(type, blk, 2 * p + 1 < nb, &wp.dw[r]);
        }
        multiply_pair512(type, &wp, act, arb, p, acc, R, B);
    }
    store_sums512(acc, out, rows, R, B);
}

/* Unpacks the weights of a tile of R rows once (scratch: per pair, 4 x {64 weight bytes, 16 scales}),
 * so the tiles of a large batch do not each redo it. */
T512 INLINE void repack_rows512(int32_t type, const uint8_t* w, int64_t wrb, int32_t nb, int R, weight_pair512* scratch) {
    int64_t blk_bytes = type == TYPE_Q8_0 ? 34 : 18;
    for (int32_t p = 0; p < (nb + 1) / 2; p++) {
        for (int r = 0; r < R; r++) {
            const uint8_t* blk = w + r * wrb + 2 * p * blk_bytes;
            PREFETCH_NEXT_TILE(blk, wrb);
            scratch[p].wv[r] = load_pair512(type, blk, 2 * p + 1 < nb, &scratch[p].dw[r]);
        }
    }
}

/* A tile reading the weights repacked by repack_rows512 (many activation rows: the prefill case). */
T512 INLINE void quant_tile512_repacked(int32_t type, const weight_pair512* scratch, const uint8_t* act, int64_t arb,
                                        int32_t nb, float* out, int64_t rows, const int R, const int B) {
    __m512 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) acc[r][b] = _mm512_setzero_ps();
    for (int32_t p = 0; p < (nb + 1) / 2; p++) multiply_pair512(type, &scratch[p], act, arb, p, acc, R, B);
    store_sums512(acc, out, rows, R, B);
}

T512 static void quant_avx512(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch,
                              float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    int32_t nb = cols / QK;
    int64_t wrb = row_bytes(type, cols);
    int64_t arb = act_row_bytes(cols);
    weight_pair512* scratch = batch > 4 ? aligned_alloc(64, sizeof(weight_pair512) * (size_t)((nb + 1) / 2)) : NULL;
    if (scratch) {
#define QTILE512R(R, B) quant_tile512_repacked(type, scratch, act + b0 * arb, arb, nb, out + b0 * rows + r0, rows, R, B)
        FOR_TILES_PREP(4, 4, repack_rows512(type, w + r0 * wrb, wrb, nb, nr, scratch), QTILE512R)
#undef QTILE512R
        free(scratch);
    } else {
#define QTILE512(R, B) quant_tile512(type, w + r0 * wrb, wrb, act + b0 * arb, arb, nb, out + b0 * rows + r0, rows, R, B)
        FOR_TILES(4, 4, QTILE512)
#undef QTILE512
    }
}

/* Loads 16 weights from column c as floats; `n` < 16 loads only the first n (the rest are 0). */
T512 INLINE __m512 load_weights512(int32_t type, const uint8_t* wr, int32_t c, int n) {
    __mmask16 m = (__mmask16)((1u << n) - 1);
    if (type == TYPE_F32) return _mm512_maskz_loadu_ps(m, (const float*)wr + c);
    __m256i h = _mm256_maskz_loadu_epi16(m, wr + 2LL * c);
    if (type == TYPE_F16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

T512 INLINE void float_tile512(int32_t type, const uint8_t* w, int64_t wrb, const float* x, int32_t cols, float* out,
                               int64_t rows, const int R, const int B) {
    __m512 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) acc[r][b] = _mm512_setzero_ps();
    for (int32_t c = 0; c < cols; c += 16) {
        int n = cols - c < 16 ? cols - c : 16;
        __m512 wv[4];
        for (int r = 0; r < R; r++) {
            PREFETCH_NEXT_TILE(w + r * wrb + (type == TYPE_F32 ? 4LL : 2LL) * c, wrb);
            wv[r] = load_weights512(type, w + r * wrb, c, n);
        }
        __mmask16 m = (__mmask16)((1u << n) - 1);
        for (int b = 0; b < B; b++) {
            __m512 xv = _mm512_maskz_loadu_ps(m, x + (int64_t)b * cols + c);
            for (int r = 0; r < R; r++) acc[r][b] = _mm512_fmadd_ps(wv[r], xv, acc[r][b]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) out[b * rows + r] = _mm512_reduce_add_ps(acc[r][b]);
}

T512 static void float_avx512(int32_t type, const uint8_t* w, int32_t cols, const float* x, int32_t batch, float* out,
                              int64_t rows, int32_t row_start, int32_t row_end) {
    int64_t wrb = row_bytes(type, cols);
#define FTILE512(R, B) float_tile512(type, w + r0 * wrb, wrb, x + (int64_t)b0 * cols, cols, out + b0 * rows + r0, rows, R, B)
    FOR_TILES(4, 4, FTILE512)
#undef FTILE512
}

T512 static int32_t quantize_block_avx512(const float* v, float amax_floor, int8_t* q, float* d_out) {
    __m512 v0 = _mm512_loadu_ps(v);
    __m512 v1 = _mm512_loadu_ps(v + 16);
    float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
    float d = (amax > amax_floor ? amax : amax_floor) / 127.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    __m512i lim = _mm512_set1_epi32(127);
    __m512i nlim = _mm512_set1_epi32(-127);
    __m512i n0 = _mm512_cvtps_epi32(_mm512_mul_ps(v0, _mm512_set1_ps(id)));
    __m512i n1 = _mm512_cvtps_epi32(_mm512_mul_ps(v1, _mm512_set1_ps(id)));
    n0 = _mm512_max_epi32(_mm512_min_epi32(n0, lim), nlim);
    n1 = _mm512_max_epi32(_mm512_min_epi32(n1, lim), nlim);
    _mm_storeu_si128((__m128i*)q, _mm512_cvtepi32_epi8(n0));
    _mm_storeu_si128((__m128i*)(q + 16), _mm512_cvtepi32_epi8(n1));
    *d_out = d;
    return -_mm512_reduce_add_epi32(_mm512_add_epi32(n0, n1));
}

#endif
