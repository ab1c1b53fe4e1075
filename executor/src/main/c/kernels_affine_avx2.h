/*
 * AVX2 + FMA + F16C kernels (level 1) for the affine types of blocks of 32 (kernels_affine_common.h): Q4_1, Q5_0,
 * Q5_1 and MXFP4; also MXFP4 at level 2; and the level extraction the K-quants' kernels (kernels_kquant_avx2.h) share.
 * Row-interleaved (kernels_rows8_avx2.h): tiles of 8 weight rows (one per
 * float lane) x 4 activation rows. Per block of 32 the 8 rows' unsigned levels u (0..31) meet the activations in
 * maddubs summed exactly in integers, then one scale multiply and one fused multiply-add serve the 8 rows; per
 * scale group (8 blocks) the scales of the 8 rows are unpacked lane-parallel from gathered words and the offsets
 * are added from the activation sums. Batches larger than one tile unpack each tile of rows once; one activation
 * row (decode) takes each row's levels straight from the matrix and folds the rows' maddubs into lanes by hadd
 * (fold_rows8), 2-4 activation rows interleave the levels in registers. Every output goes through the same integer
 * sums and float operations whatever tile or batch it is in.
 * Part of canopy_kernels.c (one translation unit): include only from there.
 */
#ifndef CANOPY_KERNELS_AFFINE_AVX2_H
#define CANOPY_KERNELS_AFFINE_AVX2_H

/* (v >> shift) & mask per byte (shift < 8, mask below 2^(8 - shift)). */
T256 INLINE __m256i bits256(__m256i v, int shift, int mask) {
    return _mm256_and_si256(_mm256_srli_epi16(v, shift), _mm256_set1_epi8((char)mask)); /* an immediate once inlined */
}

/* 16 at byte i where bit i of qh is set, for Q5_0/Q5_1's fifth bits. */
T256 INLINE __m256i fifth_bits256(uint32_t qh) {
    const __m256i spread = _mm256_setr_epi64x(0, 0x0101010101010101LL, 0x0202020202020202LL, 0x0303030303030303LL);
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)qh), spread); /* byte i: byte i/8 of qh */
    v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
    return _mm256_and_si256(v, _mm256_set1_epi8(16));
}

/* Q6_K's levels of quarter q (0..3) of a half super-block from its low-bit bytes ql and high-bit bytes qh. Every
 * operation works per 16 bits, so it gives the same bytes on rows interleaved by whole dwords. */
T256 INLINE __m256i q6_k_levels256(__m256i ql, __m256i qh, int q) {
    /* bits 2q, 2q+1 of qh moved to bits 4, 5 in one 16-bit shift (what crosses into a neighbouring byte lands
       outside bits 4, 5) and one mask; shifts by immediates (one micro-op each, where a shift by a register is
       two), none where the bits are in place */
    __m256i low = q < 2 ? ql : _mm256_srli_epi16(ql, 4);
    __m256i high = q == 0 ? _mm256_slli_epi16(qh, 4) : q == 1 ? _mm256_slli_epi16(qh, 2)
                 : q == 2 ? qh : _mm256_srli_epi16(qh, 2);
    return _mm256_or_si256(_mm256_and_si256(low, _mm256_set1_epi8(15)), _mm256_and_si256(high, _mm256_set1_epi8(0x30)));
}

/* The 32 unsigned levels of block j of one weight row: block_levels, vectorized (Q6_K: q6_k_group8). */
T256 INLINE __m256i levels256(int32_t type, const uint8_t* wr, int32_t j) {
    int k = j % 8;
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

/* Scale group g of 8 rows of a legacy type or MXFP4, lane i row i (rows past the tile's end zeros): a[k] the scale
 * of block k's levels, off[k] the offset per unit of activation sum (as group_scales, lane-parallel). */
typedef struct {
    __m256 a[8];
    __m256 off[8];
} affine_scales8;

T256 INLINE void load_scales8(int32_t type, const uint8_t* w, int64_t wrb, int32_t g, int32_t nb, int nr,
                              affine_scales8* sc) {
    int64_t size = legacy_block_bytes(type);
    for (int k = 0; k < 8; k++) { /* block 8g + k: fp16 d (then Q4_1/Q5_1's fp16 m), MXFP4 E8M0 exponent */
        if (8 * g + k >= nb) {
            sc->a[k] = sc->off[k] = _mm256_setzero_ps();
            continue;
        }
        __m256i words = words8(w + (8 * (int64_t)g + k) * size, wrb, 0, nr);
        if (type == TYPE_MXFP4) { /* e8m0_half, per lane */
            __m256i e = _mm256_and_si256(words, _mm256_set1_epi32(0xFF));
            __m256i small = _mm256_sllv_epi32(_mm256_set1_epi32(0x00200000), e);
            __m256i normal = _mm256_slli_epi32(_mm256_sub_epi32(e, _mm256_set1_epi32(1)), 23);
            __m256i is_small = _mm256_cmpgt_epi32(_mm256_set1_epi32(2), e);
            sc->a[k] = _mm256_castsi256_ps(_mm256_blendv_epi8(normal, small, is_small));
            sc->off[k] = _mm256_mul_ps(sc->a[k], _mm256_set1_ps(-12.0f));
        } else {
            sc->a[k] = halves_of(words, 0);
            sc->off[k] = type == TYPE_Q5_0 ? _mm256_mul_ps(sc->a[k], _mm256_set1_ps(-16.0f)) : halves_of(words, 1);
        }
    }
}

/* The levels of block j of 8 rows, interleaved (kernels_rows8_avx2.h), into u. */
T256 INLINE void load_levels8(int32_t type, const uint8_t* w, int64_t wrb, int64_t block_bytes, int32_t j, int nr,
                              __m256i u[8]) {
    for (int i = 0; i < 8; i++) {
        if (i >= nr) {
            u[i] = _mm256_setzero_si256();
            continue;
        }
        _mm_prefetch((const char*)(w + (i + ROWS8) * wrb + j * block_bytes), _MM_HINT_T0); /* the next tile's */
        u[i] = levels256(type, w + i * wrb, j);
    }
    interleave8x8(u);
}

/* The levels of all 8 blocks of Q6_K super-block g of 8 rows, interleaved, into u[k] for block k: each row's six
 * 32-byte vectors (ql 4, qh 2) are interleaved once per super-block and shared by the blocks that use them (the
 * per-block way interleaves 8 vectors), then every block's levels come out 8 rows at a time: the same bytes. */
T256 INLINE void q6_k_group8(const uint8_t* w, int64_t wrb, int32_t g, int nr, __m256i u[8][8]) {
    __m256i raw[6][8];
    for (int i = 0; i < 8; i++) {
        const uint8_t* blk = w + i * wrb + (int64_t)g * 210;
        for (int v = 0; v < 6; v++)
            raw[v][i] = i < nr ? _mm256_loadu_si256((const __m256i*)(blk + 32 * v)) : _mm256_setzero_si256();
        if (i < nr)
            for (int line = 0; line < 4; line++) /* the next tile's */
                _mm_prefetch((const char*)(blk + ROWS8 * wrb + 64 * line), _MM_HINT_T0);
    }
    for (int v = 0; v < 6; v++) interleave8x8(raw[v]);
    for (int k = 0; k < 8; k++) { /* half h = k / 4, quarter q = k % 4: ql vector 2h + q % 2, qh vector 4 + h */
        int h = k / 4, q = k % 4;
        for (int c = 0; c < 8; c++) u[k][c] = q6_k_levels256(raw[2 * h + q % 2][c], raw[4 + h][c], q);
    }
}

/* Chunks whose maddubs may be summed in 16 bits: levels up to 15 (8 chunks), 31 (4; MXFP4's 24 too), 63 (2). */
static int affine_per_madd(int32_t type) {
    return type == TYPE_Q4_1 || type == TYPE_Q4_K ? 8 : type == TYPE_Q6_K ? 2 : 4;
}

/* acc += (isum * a_k) * dx for block j (k = j % 8 in its scale group), 8 rows per lane, from the block's exact
 * integer dot products. */
T256 INLINE __m256 scale_dots8(__m256i isum, const affine_scales8* sc, const uint8_t* ap, int32_t j, __m256 acc) {
    __m256 dx = _mm256_loadu_ps((const float*)(ap + 64) + (j % 2) * 8);
    return _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(isum), sc->a[j % 8]), dx, acc);
}

/* acc[b] += (isum * a_k) * dx_b for block j, 8 rows per lane, from interleaved levels u. */
T256 INLINE void multiply_affine8(int32_t type, const __m256i u[8], const affine_scales8* sc, const uint8_t* act,
                                  int64_t arb, int32_t j, __m256 acc[COLS8], const int B) {
    for (int b = 0; b < B; b++) {
        const uint8_t* ap = act + b * arb + (int64_t)(j / 2) * PAIR_BYTES;
        acc[b] = scale_dots8(chunk_dots(u, ap + (j % 2) * QK, 0, 8, affine_per_madd(type)), sc, ap, j, acc[b]);
    }
}

/* acc += block j of 8 rows times one activation row, computed row by row (fold_rows8): the decode's way, with no
 * interleave of the weights; the same integers and float operations as multiply_affine8's. */
T256 INLINE __m256 multiply_rows8(int32_t type, const uint8_t* w, int64_t wrb, const affine_scales8* sc,
                                  const uint8_t* act, int32_t j, int nr, __m256 acc) {
    const uint8_t* ap = act + (int64_t)(j / 2) * PAIR_BYTES;
    __m256i x = _mm256_loadu_si256((const __m256i*)(ap + (j % 2) * QK));
    __m256i m[8];
    for (int i = 0; i < 8; i++)
        m[i] = i < nr ? _mm256_maddubs_epi16(levels256(type, w + i * wrb, j), x) : _mm256_setzero_si256();
    return scale_dots8(fold_rows8(m), sc, ap, j, acc);
}

/* Weights of a tile of rows, repacked once for a large batch: per block the interleaved levels, per group the scales. */
typedef struct {
    __m256i (*levels)[8];
    affine_scales8* scales;
} affine_repacked8;

/*
 * A tile of 8 rows x B activation rows: per scale group its offsets times the activation sums, then per block the
 * scaled dot products. Weights from the matrix (rp NULL: the decode case) or repacked (the prefill case).
 */
T256 INLINE void affine_tile8(int32_t type, const uint8_t* w, int64_t wrb, const affine_repacked8* rp,
                              const uint8_t* act, int64_t arb, int32_t nb, const float* sums, int64_t stride,
                              float* out, int64_t rows, int nr, const int B) {
    __m256 acc[COLS8];
    for (int b = 0; b < B; b++) acc[b] = _mm256_setzero_ps();
    const int n = 8;
    int64_t block_bytes = wrb / nb; /* average, to prefetch ahead */
    affine_scales8 local;
    const affine_scales8* sc = &local;
    for (int32_t g = 0; 8 * g < nb; g++) {
        if (rp) sc = &rp->scales[g];
        else load_scales8(type, w, wrb, g, nb, nr, &local);
        for (int b = 0; b < B; b++) {
            const float* s = sums + b * stride + (int64_t)n * g;
            for (int i = 0; i < n; i++) acc[b] = _mm256_fmadd_ps(sc->off[i], _mm256_set1_ps(s[i]), acc[b]);
        }
        if (!rp && B == 1) /* the next tile's group */
            for (int i = 0; i < nr; i++)
                for (int64_t at = 0; at < 8 * block_bytes; at += 64)
                    _mm_prefetch((const char*)(w + (i + ROWS8) * wrb + 8 * g * block_bytes + at), _MM_HINT_T0);
#pragma GCC unroll 8
        for (int k = 0; k < 8; k++) { /* unrolled: j % 8 = k is a constant in each copy */
            int32_t j = 8 * g + k;
            if (j >= nb) break;
            if (rp) {
                multiply_affine8(type, rp->levels[j], sc, act, arb, j, acc, B);
            } else if (B == 1) {
                acc[0] = multiply_rows8(type, w, wrb, sc, act, j, nr, acc[0]);
            } else {
                __m256i u[8];
                load_levels8(type, w, wrb, block_bytes, j, nr, u);
                multiply_affine8(type, u, sc, act, arb, j, acc, B);
            }
        }
    }
    for (int b = 0; b < B; b++) store_rows8(out + b * rows, acc[b], nr);
}

T256 INLINE void repack_affine8(int32_t type, const uint8_t* w, int64_t wrb, int32_t nb, int nr, affine_repacked8* rp) {
    for (int32_t j = 0; j < nb; j++) {
        if (j % 8 == 0) load_scales8(type, w, wrb, j / 8, nb, nr, &rp->scales[j / 8]);
        load_levels8(type, w, wrb, wrb / nb, j, nr, rp->levels[j]);
    }
}

/* One type's kernel: the type is a constant in each copy, so its branches fold away. A batch larger than one tile
 * repacks each tile of rows once (when the scratch cannot be had, every tile reads the matrix). */
#define AFFINE_KERNEL256(NAME, TYPE)                                                                              \
    T256 static void NAME(const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch, const float* sums,   \
                          float* out, int64_t rows, int32_t row_start, int32_t row_end) {                         \
        const int32_t type = TYPE;                                                                               \
        int32_t nb = cols / QK;                                                                                  \
        int64_t wrb = affine_row_bytes(type, cols);                                                              \
        int64_t arb = act_row_bytes(cols);                                                                       \
        int64_t stride = sum_stride(type, nb);                                                                   \
        size_t level_bytes = sizeof(__m256i[8]) * (size_t)nb;                                                    \
        void* buf = batch > COLS8 ? aligned_alloc(32, level_bytes + sizeof(affine_scales8) * (size_t)((nb + 7) / 8)) \
                                  : NULL;                                                                        \
        affine_repacked8 repacked = {buf, (affine_scales8*)((uint8_t*)buf + level_bytes)};                       \
        affine_repacked8* rp = buf ? &repacked : NULL;                                                           \
        FOR_TILES8(if (rp) repack_affine8(type, w + r0 * wrb, wrb, nb, nr, rp), ATILE8)                          \
        free(buf);                                                                                               \
    }
#define ATILE8(B)                                                                                                 \
    affine_tile8(type, w + r0 * wrb, wrb, rp, act + b0 * arb, arb, nb, sums + b0 * stride, stride,               \
                 out + b0 * rows + r0, rows, nr, B)
AFFINE_KERNEL256(affine_q4_1_avx2, TYPE_Q4_1)
AFFINE_KERNEL256(affine_q5_0_avx2, TYPE_Q5_0)
AFFINE_KERNEL256(affine_q5_1_avx2, TYPE_Q5_1)
AFFINE_KERNEL256(affine_mxfp4_avx2, TYPE_MXFP4)
#undef ATILE8
#undef AFFINE_KERNEL256

T256 static void affine_avx2(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch,
                             const float* sums, float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    switch (type) {
        case TYPE_Q4_1: affine_q4_1_avx2(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        case TYPE_Q5_0: affine_q5_0_avx2(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        case TYPE_Q5_1: affine_q5_1_avx2(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        default: affine_mxfp4_avx2(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
    }
}

#endif
