/*
 * AVX2 + FMA + F16C kernels (level 1) for Q4_K, Q5_K and Q6_K in integers per super-block (the scheme of
 * kernels_kquant_common.h: activations with one scale per 256 values). Level 2 runs them for Q4_K and Q5_K too, with
 * AVX512-VNNI's fused vpdpwssd in the decode row loop (kq_madd_acc: the same integers, so the same outputs).
 * Tiles of 8 weight rows (one per lane) x 4 activation rows, as kernels_affine_avx2.h, whose level extraction they
 * share; what changes is the arithmetic:
 * each block's 16-bit maddubs sums are widened by a madd with the block's integer sub-block scale instead of ones,
 * the products are summed over the super-block in int32, and the mins (Q6_K: the -32 offset) meet the activations'
 * integer block sums in 16-bit pairs (madd). Per super-block and (row, activation row) one convert, one multiply
 * by d * dx and one fused multiply-add (Q4_K/Q5_K: two, for the dmin term), in one fixed order.
 *   Decode (one activation row, no repacking): Q4_K/Q5_K's d/dmin and 12 scale bytes of a super-block of 8 rows
 *   come from one 16-byte load per row and a transpose (words8x4), not from 4 gathers, and are spread once per
 *   super-block into one vector per sub-block (sc16, 8 shuffles for the 8 rows). Then row by row, each block's
 *   maddubs times the row's sub-block scale, broadcast from sc16 by a load (AVX2) or VNNI's embedded broadcast (no
 *   shuffle per row and block), summed over the super-block in 8 int32 lanes; the 8 rows' sums are folded
 *   into row lanes by hadd once per super-block (was once per block). Q6_K's -32 offset is subtracted there too,
 *   per row (one madd of the row's 16 scales, already loaded, with the 16 block sums), so its decode gathers no
 *   scale pairs: 4 fewer gathers and ~16 fewer operations per super-block of 8 rows.
 *   2+ activation rows: the rows' levels interleaved (registers, or repacked once per tile of rows for more than
 *   4), the scales per row lane.
 * Both give the same exact integers per super-block, so outputs are bit-identical whatever the batch.
 * Part of canopy_kernels.c (one translation unit): include only from there.
 */
#ifndef CANOPY_KERNELS_KQUANT_AVX2_H
#define CANOPY_KERNELS_KQUANT_AVX2_H

/* Super-block g of 8 rows, lane i row i (rows past the tile's end zeros). */
typedef struct {
    __m256 d;         /* d */
    __m256 mdmin;     /* -dmin (Q4_K/Q5_K) */
    __m256i pair[8];  /* 16-bit scale pairs that meet kq_act.pair: mins (Q4_K/Q5_K, 4), sc (Q6_K, 8) */
    __m256i sc16[16]; /* the sub-block scale in both 16-bit halves of each row's dword (Q6_K: interleaved path
                         only). Row by row, Q4_K/Q5_K: row i reads its dword of sc16[k] with a broadcast load (a load
                         port, or VNNI's embedded broadcast), where a shuffle per block would compete with the row
                         loop's ALU work */
    __m256i row[8];   /* row-by-row path, Q6_K: row i's scales as kq_row_scale reads them */
    int row_offsets;  /* Q6_K row by row: no pair, kq_row_s1 subtracts the offsets (kq_finish must not) */
} kq_scales8;

/* Q6_K: row i's scale of block k in every 16-bit lane (sc[2k] in the low 128 bits, sc[2k+1] in the high; row holds
 * the 16 scales as int16, the even ones in the low 128 bits and the odd ones in the high). */
T256 INLINE __m256i kq_row_scale(__m256i row, int k) {
    return _mm256_shuffle_epi8(row, _mm256_set1_epi16((short)(2 * k | (2 * k + 1) << 8)));
}

/* Both 16-bit halves of each dword: the low 16 bits of v. */
T256 INLINE __m256i dup16(__m256i v) {
    __m256i lo = _mm256_and_si256(v, _mm256_set1_epi32(0xFFFF));
    return _mm256_or_si256(lo, _mm256_slli_epi32(lo, 16));
}

/* Both 16-bit halves of each dword: its byte j (zero-extended). */
T256 INLINE __m256i dup_byte16(__m256i v, int j) {
    const char z = (char)0x80;
    return _mm256_shuffle_epi8(v, _mm256_setr_epi8(j, z, j, z, 4 + j, z, 4 + j, z, 8 + j, z, 8 + j, z, 12 + j, z, 12 + j, z,
                                                   j, z, j, z, 4 + j, z, 4 + j, z, 8 + j, z, 8 + j, z, 12 + j, z, 12 + j, z));
}

T256 INLINE void kq_load_scales8(int32_t type, const uint8_t* w, int64_t wrb, int32_t g, int nr, int rowwise,
                                 kq_scales8* sc) {
    if (type == TYPE_Q6_K) {
        const uint8_t* blk = w + (int64_t)g * 210;
        sc->d = halves8(blk, wrb, 208, nr);
        sc->mdmin = _mm256_setzero_ps();
        sc->row_offsets = rowwise;
        for (int q = 0; q < 4 * !rowwise; q++) { /* bytes sc[4q .. 4q+3] of each row (the row-by-row path: none,
                                                    kq_row_s1 subtracts the offsets per row) */
            __m256i s = words8(blk, wrb, 192 + 4 * q, nr);
            sc->pair[2 * q] = _mm256_srai_epi16(_mm256_slli_epi16(s, 8), 8); /* (sc[4q], sc[4q+2]) */
            sc->pair[2 * q + 1] = _mm256_srai_epi16(s, 8);                     /* (sc[4q+1], sc[4q+3]) */
            if (!rowwise)
                for (int k = 0; k < 4; k++)
                    sc->sc16[4 * q + k] = dup16(_mm256_srai_epi32(_mm256_slli_epi32(s, 24 - 8 * k), 24));
        }
        if (rowwise) {
            const __m128i evens_odds = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
            for (int i = 0; i < 8; i++)
                sc->row[i] = i < nr ? _mm256_cvtepi8_epi16(_mm_shuffle_epi8(
                                          _mm_loadu_si128((const __m128i*)(blk + i * wrb + 192)), evens_odds))
                                    : _mm256_setzero_si256();
        }
        return;
    }
    const uint8_t* blk = w + (int64_t)g * (type == TYPE_Q4_K ? 144 : 176);
    __m256i head[4]; /* d|dmin and the 12 scale bytes of each row */
    if (rowwise) words8x4(blk, wrb, 0, nr, head); /* decode: row loads and a transpose, faster than gathers there */
    else for (int q = 0; q < 4; q++) head[q] = words8(blk, wrb, 4 * q, nr); /* the repack: gathers (~10% faster) */
    sc->d = halves_of(head[0], 0);
    sc->row_offsets = 0;
    sc->mdmin = _mm256_sub_ps(_mm256_setzero_ps(), halves_of(head[0], 1));
    v8u32 w0 = (v8u32)head[1], w1 = (v8u32)head[2], w2 = (v8u32)head[3];
    __m256i scs[2] = {(__m256i)KQ_SC_LO(w0, w1, w2), (__m256i)KQ_SC_HI(w0, w1, w2)};
    __m256i ms[2] = {(__m256i)KQ_M_LO(w0, w1, w2), (__m256i)KQ_M_HI(w0, w1, w2)};
    const __m256i even_bytes = _mm256_set1_epi32(0x00FF00FF);
    for (int h = 0; h < 2; h++) {
        sc->pair[2 * h] = _mm256_and_si256(ms[h], even_bytes);                           /* (m[4h], m[4h+2]) */
        sc->pair[2 * h + 1] = _mm256_and_si256(_mm256_srli_epi32(ms[h], 8), even_bytes); /* (m[4h+1], m[4h+3]) */
    }
    for (int k = 0; k < 8; k++) sc->sc16[k] = dup_byte16(scs[k / 4], k % 4);
}

/* acc += super-block g's contribution for one activation row, from S1 = sum of sc * (level dot products) per row
 * lane: the offsets' integer sums, then the float steps in this order. */
T256 INLINE __m256 kq_finish(int32_t type, const kq_scales8* sc, const kq_act* a, __m256i s1, __m256 acc) {
    if (type == TYPE_Q6_K && sc->row_offsets) /* s1 is already S1 - 32 * S2: the same integer, the same steps */
        return _mm256_fmadd_ps(_mm256_mul_ps(sc->d, _mm256_set1_ps(a->dx)), _mm256_cvtepi32_ps(s1), acc);
    int n = type == TYPE_Q6_K ? 8 : 4;
    __m256i s2 = _mm256_madd_epi16(sc->pair[0], _mm256_set1_epi32((int)a->pair[0]));
    for (int p = 1; p < n; p++) s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(sc->pair[p], _mm256_set1_epi32((int)a->pair[p])));
    __m256 dx = _mm256_set1_ps(a->dx);
    if (type == TYPE_Q6_K)
        return _mm256_fmadd_ps(_mm256_mul_ps(sc->d, dx), _mm256_cvtepi32_ps(_mm256_sub_epi32(s1, _mm256_slli_epi32(s2, 5))), acc);
    acc = _mm256_fmadd_ps(_mm256_mul_ps(sc->d, dx), _mm256_cvtepi32_ps(s1), acc);
    return _mm256_fmadd_ps(_mm256_mul_ps(sc->mdmin, dx), _mm256_cvtepi32_ps(s2), acc);
}

/* Which form of "int32 lanes + madd of int16 pairs" a kernel copy uses (a constant in each copy). */
#define KQ_PLAIN 0     /* AVX2: vpmaddwd then vpaddd */
#define KQ_VNNI_EVEX 1 /* AVX512-VNNI + AVX512VL (level 2): one vpdpwssd on 256-bit registers, EVEX-encoded */

/* acc + madd(a, b): the same exact int32 lanes in every form (vpdpwssd does not saturate), so outputs do not depend
 * on the form. The VNNI form is inline assembly because these helpers are compiled for AVX2 only, where the
 * intrinsics' target attributes would not inline; a copy with KQ_VNNI_EVEX runs only at level 2. (AVX-VNNI's
 * VEX-encoded vpdpwssd at level 1 was measured too: no faster than vpmaddwd + vpaddd there, docs/kernels.md.) */
T256 INLINE __m256i kq_madd_acc(__m256i acc, __m256i a, __m256i b, int vnni) {
    if (vnni == KQ_VNNI_EVEX) {
        __asm__("%{evex%} vpdpwssd %2, %1, %0" : "+x"(acc) : "x"(a), "x"(b));
        return acc;
    }
    return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
}

/* kq_madd_acc(acc, a, b) with b the dword *s in every lane, read from memory: a broadcast load (AVX2) or EVEX's
 * embedded broadcast, neither of which takes a vector ALU slot. */
T256 INLINE __m256i kq_madd_acc_bcast(__m256i acc, __m256i a, const int32_t* s, int vnni) {
    if (vnni == KQ_VNNI_EVEX) {
        __asm__("%{evex%} vpdpwssd %2%{1to8%}, %1, %0" : "+x"(acc) : "x"(a), "m"(*s));
        return acc;
    }
    return kq_madd_acc(acc, a, _mm256_set1_epi32(*s), vnni);
}

/* Lane i = the sum of the 8 lanes of v[i]. */
T256 INLINE __m256i sum_lanes8(const __m256i v[8]) {
    __m256i q0 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    __m256i q1 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    return _mm256_add_epi32(_mm256_permute2x128_si256(q0, q1, 0x20), _mm256_permute2x128_si256(q0, q1, 0x31));
}

/* Super-block bytes per row. */
static int64_t kq_superblock_bytes(int32_t type) {
    return type == TYPE_Q4_K ? 144 : type == TYPE_Q5_K ? 176 : 210;
}

/* The 32 levels of block k (a constant once unrolled) of one row's super-block sb (as levels256, q6_k_levels256). */
T256 INLINE __m256i kq_levels(int32_t type, const uint8_t* sb, int k) {
    if (type == TYPE_Q6_K) {
        int h = k / 4, q = k % 4;
        return q6_k_levels256(_mm256_loadu_si256((const __m256i*)(sb + 64 * h + 32 * (q % 2))),
                              _mm256_loadu_si256((const __m256i*)(sb + 128 + 32 * h)), q);
    }
    __m256i u = bits256(_mm256_loadu_si256((const __m256i*)(sb + (type == TYPE_Q4_K ? 16 : 48) + 32 * (k / 2))),
                        4 * (k % 2), 15);
    if (type == TYPE_Q5_K) u = _mm256_or_si256(u, _mm256_slli_epi16(bits256(_mm256_loadu_si256((const __m256i*)(sb + 16)), k, 1), 4));
    return u;
}

/* Q6_K: the 16 block sums of a super-block as int16 in kq_row_scale's order (bs[2k] in the low 128 bits, bs[2k+1]
 * in the high; |bs| <= 16 * 128). */
T256 INLINE __m256i kq_bs16(const kq_act* a) {
    __m256i p = _mm256_packs_epi32(_mm256_loadu_si256((const __m256i*)a->bs), _mm256_loadu_si256((const __m256i*)(a->bs + 8)));
    p = _mm256_permute4x64_epi64(p, 0xD8); /* bs0..7 | bs8..15 */
    p = _mm256_shuffle_epi8(p, _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15,
                                                0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15));
    return _mm256_permute4x64_epi64(p, 0xD8); /* evens 0..14 | odds 1..15 */
}

/* One row's super-block sb times one activation row's (ap): sum over its blocks of the scale times the block's
 * maddubs, in 8 int32 lanes. The row's scales: Q6_K row_scales (kq_row_scale); Q4_K/Q5_K block k's dword at
 * scd[8 * k] (its lane of kq_scales8.sc16[k]). */
T256 INLINE __m256i kq_row_s1(int32_t type, const uint8_t* sb, __m256i row_scales, const int32_t* scd,
                              const uint8_t* ap, __m256i bs16, int vnni) {
    /* Q6_K: minus 32 * sum_g sc_g * bs_g (bs16: the block sums where row_scales holds the scales) */
    __m256i s = type == TYPE_Q6_K ? _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(row_scales, bs16), 5))
                                  : _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int k = 0; k < 8; k++) { /* unrolled: k is a constant in each copy */
        __m256i x = _mm256_loadu_si256((const __m256i*)(ap + (k / 2) * PAIR_BYTES + (k % 2) * QK));
        __m256i p = _mm256_maddubs_epi16(kq_levels(type, sb, k), x);
        s = type == TYPE_Q6_K ? kq_madd_acc(s, p, kq_row_scale(row_scales, k), vnni)
                              : kq_madd_acc_bcast(s, p, scd + 8 * k, vnni);
    }
    return s;
}

/* S1 of super-block g of 8 rows times one activation row (ap: its super-block), row by row. */
T256 INLINE __m256i kq_rows_s1(int32_t type, const uint8_t* w, int64_t wrb, const kq_scales8* sc, const uint8_t* ap,
                               const kq_act* a, int32_t g, int nr, int vnni) {
    __m256i s[8];
    __m256i bs16 = type == TYPE_Q6_K ? kq_bs16(a) : _mm256_setzero_si256();
    const uint8_t* sb = w + g * kq_superblock_bytes(type);
#pragma GCC unroll 1
    for (int i = 0; i < nr; i++) {
        __m256i row_scales = type == TYPE_Q6_K ? sc->row[i] : _mm256_setzero_si256();
        s[i] = kq_row_s1(type, sb + i * wrb, row_scales, (const int32_t*)sc->sc16 + i, ap, bs16, vnni);
    }
    for (int i = nr; i < 8; i++) s[i] = _mm256_setzero_si256();
    return sum_lanes8(s);
}

/* S1 += block k of interleaved levels u times activation block xq (scales per row lane). */
T256 INLINE __m256i kq_interleaved_s1(int32_t type, const __m256i u[8], const kq_scales8* sc, const uint8_t* xq, int k,
                                      __m256i s1) {
    if (type == TYPE_Q6_K) {
        s1 = _mm256_add_epi32(s1, chunk_dots_by(u, xq, 0, 4, 2, sc->sc16[2 * k]));
        return _mm256_add_epi32(s1, chunk_dots_by(u, xq, 4, 4, 2, sc->sc16[2 * k + 1]));
    }
    return _mm256_add_epi32(s1, chunk_dots_by(u, xq, 0, 8, affine_per_madd(type), sc->sc16[k]));
}

/* Weights of a tile of rows, repacked once for a large batch: per block the interleaved levels, per super-block
 * the scales. */
typedef struct {
    __m256i (*levels)[8];
    kq_scales8* scales;
} kq_repacked8;

/* A tile of 8 rows x B activation rows (ka: the first activation row's super-blocks, nsb per row). Weights from
 * the matrix (rp NULL) or repacked (the prefill case). */
T256 INLINE void kq_tile8(int32_t type, const uint8_t* w, int64_t wrb, const kq_repacked8* rp, const uint8_t* act,
                          int64_t arb, int32_t nb, const kq_act* ka, float* out, int64_t rows, int nr, const int B,
                          int vnni) {
    __m256 acc[COLS8];
    for (int b = 0; b < B; b++) acc[b] = _mm256_setzero_ps();
    int32_t nsb = nb / 8;
    int64_t sb_bytes = wrb / nsb;
    kq_scales8 local;
    const kq_scales8* sc = &local;
    __m256i group[8][8]; /* Q6_K: the super-block's levels */
    for (int32_t g = 0; g < nsb; g++) {
        if (rp) sc = &rp->scales[g];
        else kq_load_scales8(type, w, wrb, g, nr, B == 1, &local);
        if (!rp && B == 1) {
            for (int i = 0; i < nr; i++) /* the next tile's super-block */
                for (int64_t at = 0; at < sb_bytes; at += 64)
                    _mm_prefetch((const char*)(w + (i + ROWS8) * wrb + g * sb_bytes + at), _MM_HINT_T0);
            __m256i s1 = kq_rows_s1(type, w, wrb, sc, act + (int64_t)4 * g * PAIR_BYTES, ka + g, g, nr, vnni);
            acc[0] = kq_finish(type, sc, ka + g, s1, acc[0]);
            continue;
        }
        if (!rp && type == TYPE_Q6_K) q6_k_group8(w, wrb, g, nr, group);
        __m256i s1[COLS8];
        for (int b = 0; b < B; b++) s1[b] = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int k = 0; k < 8; k++) {
            int32_t j = 8 * g + k;
            __m256i loaded[8];
            const __m256i* u = rp ? rp->levels[j] : type == TYPE_Q6_K ? group[k] : loaded;
            if (!rp && type != TYPE_Q6_K) load_levels8(type, w, wrb, sb_bytes / 8, j, nr, loaded);
            for (int b = 0; b < B; b++)
                s1[b] = kq_interleaved_s1(type, u, sc, act + b * arb + (int64_t)(j / 2) * PAIR_BYTES + (j % 2) * QK, k,
                                          s1[b]);
        }
        for (int b = 0; b < B; b++) acc[b] = kq_finish(type, sc, ka + (int64_t)b * nsb + g, s1[b], acc[b]);
    }
    for (int b = 0; b < B; b++) store_rows8(out + b * rows, acc[b], nr);
}

T256 INLINE void kq_repack8(int32_t type, const uint8_t* w, int64_t wrb, int32_t nb, int nr, kq_repacked8* rp) {
    for (int32_t g = 0; g < nb / 8; g++) {
        kq_load_scales8(type, w, wrb, g, nr, 0, &rp->scales[g]);
        if (type == TYPE_Q6_K) q6_k_group8(w, wrb, g, nr, rp->levels + 8 * g);
        else
            for (int k = 0; k < 8; k++) load_levels8(type, w, wrb, wrb / nb, 8 * g + k, nr, rp->levels[8 * g + k]);
    }
}

/* One type's kernel (the type a constant in each copy). A batch larger than one tile repacks each tile of rows
 * once (when the scratch cannot be had, every tile reads the matrix). */
#define KQUANT_KERNEL256(NAME, TYPE, VNNI)                                                                        \
    T256 static void NAME(const uint8_t* w, int32_t cols, const uint8_t* act, const kq_act* ka, int32_t batch,    \
                          float* out, int64_t rows, int32_t row_start, int32_t row_end) {                         \
        const int32_t type = TYPE;                                                                               \
        const int vnni = VNNI;                                                                                   \
        int32_t nb = cols / QK, nsb = nb / 8;                                                                    \
        int64_t wrb = affine_row_bytes(type, cols);                                                              \
        int64_t arb = act_row_bytes(cols);                                                                       \
        size_t level_bytes = sizeof(__m256i[8]) * (size_t)nb;                                                    \
        void* buf = batch > COLS8 ? aligned_alloc(32, level_bytes + sizeof(kq_scales8) * (size_t)nsb) : NULL;    \
        kq_repacked8 repacked = {buf, (kq_scales8*)((uint8_t*)buf + level_bytes)};                               \
        kq_repacked8* rp = buf ? &repacked : NULL;                                                               \
        FOR_TILES8(if (rp) kq_repack8(type, w + r0 * wrb, wrb, nb, nr, rp), KTILE8)                              \
        free(buf);                                                                                               \
    }
#define KTILE8(B)                                                                                                 \
    kq_tile8(type, w + r0 * wrb, wrb, rp, act + b0 * arb, arb, nb, ka + (int64_t)b0 * nsb, out + b0 * rows + r0, \
             rows, nr, B, vnni)
KQUANT_KERNEL256(kquant_q4_k_avx2, TYPE_Q4_K, KQ_PLAIN)
KQUANT_KERNEL256(kquant_q5_k_avx2, TYPE_Q5_K, KQ_PLAIN)
KQUANT_KERNEL256(kquant_q6_k_avx2, TYPE_Q6_K, KQ_PLAIN)
KQUANT_KERNEL256(kquant_q4_k_evex, TYPE_Q4_K, KQ_VNNI_EVEX)
KQUANT_KERNEL256(kquant_q5_k_evex, TYPE_Q5_K, KQ_VNNI_EVEX)
#undef KTILE8
#undef KQUANT_KERNEL256

/* vnni: KQ_PLAIN (level 1) or KQ_VNNI_EVEX (level 2: Q4_K and Q5_K only). */
T256 static void kquant_avx2(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, const kq_act* ka,
                             int32_t batch, float* out, int64_t rows, int32_t row_start, int32_t row_end, int vnni) {
    if (vnni == KQ_VNNI_EVEX && type != TYPE_Q6_K) { /* Q6_K has no VNNI copy: the plain one gives the same outputs */
        if (type == TYPE_Q4_K) kquant_q4_k_evex(w, cols, act, ka, batch, out, rows, row_start, row_end);
        else kquant_q5_k_evex(w, cols, act, ka, batch, out, rows, row_start, row_end);
        return;
    }
    switch (type) {
        case TYPE_Q4_K: kquant_q4_k_avx2(w, cols, act, ka, batch, out, rows, row_start, row_end); break;
        case TYPE_Q5_K: kquant_q5_k_avx2(w, cols, act, ka, batch, out, rows, row_start, row_end); break;
        default: kquant_q6_k_avx2(w, cols, act, ka, batch, out, rows, row_start, row_end); break;
    }
}

#endif
