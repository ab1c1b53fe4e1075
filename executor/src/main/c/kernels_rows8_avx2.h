/*
 * AVX2 building blocks for quantized kernels whose 8 float lanes are 8 weight rows (level 1).
 *
 * A block of 32 weights of 8 rows is held "row-interleaved": register c (0..7) holds values 4c .. 4c+3 of each row,
 * row i in dword i. One broadcast dword of the activations (values 4c .. 4c+3) then meets all 8 rows in one
 * maddubs, and the 8 lanes of the integer sum are the 8 rows' exact dot products of the block: no horizontal
 * reduction, and one convert / scale / fused multiply-add per block serves 8 outputs. Because the block's dot
 * product is an exact integer, every output goes through the same float operations whether its weights came
 * straight from the matrix (decode) or from a tile repacked once for many activation rows (prefill): results do
 * not depend on the batch size, the tile or the row range.
 * Part of canopy_kernels.c (one translation unit): include only from there.
 */
#ifndef CANOPY_KERNELS_ROWS8_AVX2_H
#define CANOPY_KERNELS_ROWS8_AVX2_H

/* Rows per tile and activation rows per tile of the row-interleaved kernels. */
#define ROWS8 8
#define COLS8 4

/* Interleaves 8 rows' 32-byte blocks v[0..7] in place: afterwards v[c] holds dword c of every row (row i in dword i). */
T256 INLINE void interleave8x8(__m256i v[8]) {
    __m256i t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(v[i], v[i + 1]);     /* dwords 0,1 | 4,5 of rows i, i+1 */
        t[i + 1] = _mm256_unpackhi_epi32(v[i], v[i + 1]); /* dwords 2,3 | 6,7 */
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);         /* dword 0 | 4 of rows i .. i+3 */
        u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);     /* dword 1 | 5 */
        u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]); /* dword 2 | 6 */
        u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]); /* dword 3 | 7 */
    }
    for (int c = 0; c < 4; c++) {
        v[c] = _mm256_permute2x128_si256(u[c], u[c + 4], 0x20);
        v[c + 4] = _mm256_permute2x128_si256(u[c], u[c + 4], 0x31);
    }
}

/* The four 32-bit words at byte offset `at` of 8 rows (out[q] lane i: word q of row i, stride wrb; rows >= nr read
 * as 0): 8 loads of 16 bytes and a 4x4 transpose in each 128-bit half, where words8 would take 4 gathers. */
T256 INLINE void words8x4(const uint8_t* w, int64_t wrb, int64_t at, int nr, __m256i out[4]) {
    __m256i r[4]; /* rows i | i + 4 */
    for (int i = 0; i < 4; i++) {
        __m128i lo = i < nr ? _mm_loadu_si128((const __m128i*)(w + i * wrb + at)) : _mm_setzero_si128();
        __m128i hi = i + 4 < nr ? _mm_loadu_si128((const __m128i*)(w + (i + 4) * wrb + at)) : _mm_setzero_si128();
        r[i] = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
    }
    __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]); /* words 0, 1 of rows 0, 1 | 4, 5 */
    __m256i t1 = _mm256_unpackhi_epi32(r[0], r[1]); /* words 2, 3 */
    __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]); /* words 0, 1 of rows 2, 3 | 6, 7 */
    __m256i t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    out[0] = _mm256_unpacklo_epi64(t0, t2);
    out[1] = _mm256_unpackhi_epi64(t0, t2);
    out[2] = _mm256_unpacklo_epi64(t1, t3);
    out[3] = _mm256_unpackhi_epi64(t1, t3);
}

/* The 32-bit words at byte offset `at` of 8 rows (lane i: row i, stride wrb; rows >= nr read as 0): one gather. */
T256 INLINE __m256i words8(const uint8_t* w, int64_t wrb, int64_t at, int nr) {
    __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i offsets = _mm256_mullo_epi32(lane, _mm256_set1_epi32((int)wrb));
    __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr), lane);
    return _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), (const int*)(w + at), offsets, mask, 1);
}

/* The low (hi = 0) or high (hi = 1) fp16 of each 32-bit word as floats. */
T256 INLINE __m256 halves_of(__m256i words, int hi) {
    __m256i h = hi ? _mm256_srli_epi32(words, 16) : _mm256_and_si256(words, _mm256_set1_epi32(0xFFFF));
    return _mm256_cvtph_ps(_mm_packus_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1)));
}

/* The fp16 at byte offset `at` of 8 rows as floats, read from the word that starts with it (at 0 or 1) or ends
 * with it, so that no byte outside the row is read. */
T256 INLINE __m256 halves8(const uint8_t* w, int64_t wrb, int64_t at, int nr) {
    return at >= 2 ? halves_of(words8(w, wrb, at - 2, nr), 1) : halves_of(words8(w, wrb, at, nr), 0);
}

/* Byte k (0..3) of each 32-bit word, unsigned or (sign) signed, as floats. */
T256 INLINE __m256 byte_of(__m256i words, int k, int sign) {
    __m256i b = sign ? _mm256_srai_epi32(_mm256_slli_epi32(words, 24 - 8 * k), 24)
                     : _mm256_and_si256(_mm256_srli_epi32(words, 8 * k), _mm256_set1_epi32(0xFF));
    return _mm256_cvtepi32_ps(b);
}

/* Values 4c .. 4c+3 of an activation block, in every dword. */
T256 INLINE __m256i act_chunk(const uint8_t* xq, int c) {
    int32_t v;
    memcpy(&v, xq + 4 * c, 4);
    return _mm256_set1_epi32(v);
}

/* The exact integer dot products of chunks [first, first + count) of a block of 8 rows' unsigned levels u with
 * an activation block, 8 rows per lane, each times its row's 16-bit multiplier `mult` (both 16-bit halves of dword i
 * hold row i's; ones for the plain dot products) as the 16-bit sums widen: per_madd chunks' maddubs are summed in
 * 16 bits before widening (the caller picks it so that per_madd * 2 * max(u) * 127 stays below 32768). */
T256 INLINE __m256i chunk_dots_by(const __m256i u[8], const uint8_t* xq, int first, int count, int per_madd,
                                  __m256i mult) {
    __m256i isum = _mm256_setzero_si256();
    for (int c0 = first; c0 < first + count; c0 += per_madd) {
        __m256i p = _mm256_maddubs_epi16(u[c0], act_chunk(xq, c0));
        for (int c = c0 + 1; c < c0 + per_madd; c++) p = _mm256_add_epi16(p, _mm256_maddubs_epi16(u[c], act_chunk(xq, c)));
        isum = c0 == first ? _mm256_madd_epi16(p, mult) : _mm256_add_epi32(isum, _mm256_madd_epi16(p, mult));
    }
    return isum;
}

T256 INLINE __m256i chunk_dots(const __m256i u[8], const uint8_t* xq, int first, int count, int per_madd) {
    return chunk_dots_by(u, xq, first, count, per_madd, _mm256_set1_epi16(1));
}

/*
 * The same exact block dot products computed row by row, for decode: m[i] = maddubs(levels of row i, activation
 * block) (16-bit pair sums of row i's 32 values), folded pairwise across rows by hadd so that the lanes come out
 * as rows without interleaving any weights. Levels up to 31: two folds stay in 16 bits (4*2*31*128 < 2^15). The
 * sums are the same integers as chunk_dots', so the outputs are the same.
 */
T256 INLINE __m256i fold_rows8(const __m256i m[8]) {
    const __m256i ones = _mm256_set1_epi16(1);
    /* rows 0..3 (4..7) in dwords 0..3, values 0..15 in the low 128 bits, 16..31 in the high */
    __m256i x03 = _mm256_madd_epi16(_mm256_hadd_epi16(_mm256_hadd_epi16(m[0], m[1]), _mm256_hadd_epi16(m[2], m[3])), ones);
    __m256i x47 = _mm256_madd_epi16(_mm256_hadd_epi16(_mm256_hadd_epi16(m[4], m[5]), _mm256_hadd_epi16(m[6], m[7])), ones);
    return _mm256_add_epi32(_mm256_permute2x128_si256(x03, x47, 0x20), _mm256_permute2x128_si256(x03, x47, 0x31));
}

/* Stores the first nr lanes of v at out. */
T256 INLINE void store_rows8(float* out, __m256 v, int nr) {
    if (nr == ROWS8) {
        _mm256_storeu_ps(out, v);
    } else {
        __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        _mm256_maskstore_ps(out, mask, v);
    }
}

/* Visits rows [row_start, row_end) in tiles of up to 8 rows and the batch in tiles of up to 4 activation rows;
 * ROW_PREP runs once per tile of rows, TILE(nb) must expand to a call of the kernel for exactly nb activation rows
 * (nr, r0 and b0 in scope). */
#define FOR_TILES8(ROW_PREP, TILE)                                           \
    for (int32_t r0 = row_start; r0 < row_end; r0 += ROWS8) {                \
        int nr = row_end - r0 < ROWS8 ? row_end - r0 : ROWS8;                \
        ROW_PREP;                                                            \
        for (int32_t b0 = 0; b0 < batch; b0 += COLS8) {                      \
            switch (batch - b0 < COLS8 ? batch - b0 : COLS8) {               \
                case 1: TILE(1); break;                                      \
                case 2: TILE(2); break;                                      \
                case 3: TILE(3); break;                                      \
                default: TILE(4); break;                                     \
            }                                                                \
        }                                                                    \
    }

#endif
