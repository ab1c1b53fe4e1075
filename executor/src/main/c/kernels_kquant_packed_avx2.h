/*
 * Q4_K, Q5_K and Q6_K weights packed 8 rows at a time (AVX2 and AVX-512 levels), so that decode reads levels already
 * interleaved by row (kernels_rows8_avx2.h: register c holds values 4c .. 4c+3 of each of 8 rows, row i in dword i)
 * and multiplies each chunk by one broadcast of the activations: one vpmaddubsw per 8 rows x 4 values, summed in 16
 * bits over the chunks of a scale group, one vpmaddwd with the group's scales per 8 rows. Row by row (the GGUF
 * layout, kernels_kquant_avx2.h) every block of every row costs a maddubs, a madd and an add, and Q6_K's levels
 * come out of ql/qh with 17 operations per 4 blocks. canopy_pack writes the layout once per matrix (the Java side
 * keeps it beside the mapped file); canopy_matmul_packed multiplies it.
 *
 * Layout: tiles of 8 rows (rows past the matrix's end zeros), each the tile's super-blocks in order, each
 *   Q4_K (1184 bytes = 8 x 144 + 32):
 *     0    fp16 d of rows 0..7                16   fp16 dmin of rows 0..7
 *     32   sc[k] of rows 0..7, k = 0..7 (6-bit scales unpacked to bytes; 8 bytes per k)
 *     96   m[k] of rows 0..7, the same way
 *     160  for each pair of blocks h = 0..3 (the 32 bytes qs[32h ..] of each row: block 2h in the low nibbles,
 *          2h+1 in the high), 8 chunks of 32 bytes: chunk c = bytes 4c .. 4c+3 of rows 0..7
 *   Q5_K (1440 bytes = 8 x 176 + 32): Q4_K's layout for its scales, mins and nibbles, then
 *     1184 the 32 bytes qh of each row (bit k of byte j: the fifth bit of block k's value j), 8 chunks as above
 *   Q6_K (1680 bytes = 8 x 210):
 *     0    fp16 d of rows 0..7                16   sc[g] of rows 0..7, g = 0..15 (int8; 8 bytes per g)
 *     144  for each half h = 0..1 (blocks 4h .. 4h+3, levels u0 .. u3 of 6 bits), three planes of 8 chunks of
 *          32 bytes (chunk c: bytes 4c .. 4c+3 of rows 0..7), byte j of a row's plane:
 *            P1 = u0 | (u3 >> 4) << 6     P2 = u1 | ((u3 >> 2) & 3) << 6     P3 = u2 | (u3 & 3) << 6
 *          so u0..u2 are one AND each and u3 = (P1 & 0xC0) >> 2 | (P2 & 0xC0) >> 4 | (P3 & 0xC0) >> 6 (11
 *          operations per 4 blocks, where ql/qh take 17).
 * Same weights, same integers: every super-block of a (row, activation row) gives the exact S1/S2 of
 * kernels_kquant_common.h, and the same float steps follow (kq_finish's), so packed and GGUF-layout kernels give
 * bit-identical outputs at every batch size. Up to 4 activation rows are multiplied straight from the packed layout,
 * each chunk's levels extracted once for all of them (packed_tile8); more (prefill) unpack each tile of 8 rows once
 * into kq_repacked8 and run kq_tile8, the GGUF layout's own tile code.
 * Part of canopy_kernels.c (one translation unit): include only from there.
 */
#ifndef CANOPY_KERNELS_KQUANT_PACKED_AVX2_H
#define CANOPY_KERNELS_KQUANT_PACKED_AVX2_H

#define PACKED_Q4_K_BYTES 1184
#define PACKED_Q5_K_BYTES 1440
#define PACKED_Q6_K_BYTES 1680

/* Bytes per super-block of a tile of 8 packed rows; 0 for a type that is not packed. */
static int64_t packed_superblock_bytes(int32_t type) {
    return type == TYPE_Q4_K ? PACKED_Q4_K_BYTES : type == TYPE_Q5_K ? PACKED_Q5_K_BYTES
         : type == TYPE_Q6_K ? PACKED_Q6_K_BYTES : 0;
}

/* Offset of byte j (0..31) of row i's 32 bytes in their 8 chunks of 32 bytes (chunk c = bytes 4c .. 4c+3 of rows
 * 0..7). */
static int chunk_offset(int i, int j) {
    return 32 * (j / 4) + 4 * i + j % 4;
}

/* Writes tile t (rows 8t .. 8t+7, those >= rows as zeros) of a Q4_K, Q5_K or Q6_K matrix in the packed layout. */
static void pack_tile8(int32_t type, const uint8_t* w, int32_t rows, int32_t cols, int32_t t, uint8_t* out) {
    int32_t nsb = cols / 256;
    int64_t wrb = affine_row_bytes(type, cols), sbb = packed_superblock_bytes(type);
    uint8_t* tile = out + (int64_t)t * nsb * sbb;
    memset(tile, 0, (size_t)(nsb * sbb));
    for (int i = 0; i < 8 && 8 * t + i < rows; i++) {
        const uint8_t* wr = w + (int64_t)(8 * t + i) * wrb;
        for (int32_t g = 0; g < nsb; g++) {
            uint8_t* base = tile + g * sbb;
            int32_t sc[16], m[8];
            float d, dmin;
            kq_int_scales(type, wr, g, sc, m, &d, &dmin);
            if (type != TYPE_Q6_K) { /* Q4_K, Q5_K */
                const uint8_t* blk = wr + (int64_t)g * kq_superblock_bytes(type);
                const uint8_t* qs = blk + (type == TYPE_Q4_K ? 16 : 48);
                memcpy(base + 2 * i, blk, 2);
                memcpy(base + 16 + 2 * i, blk + 2, 2);
                for (int k = 0; k < 8; k++) {
                    base[32 + 8 * k + i] = (uint8_t)sc[k];
                    base[96 + 8 * k + i] = (uint8_t)m[k];
                }
                for (int h = 0; h < 4; h++)
                    for (int j = 0; j < 32; j++) base[160 + 256 * h + chunk_offset(i, j)] = qs[32 * h + j];
                if (type == TYPE_Q5_K) /* the fifth bits: qh byte j, bit k for block k */
                    for (int j = 0; j < 32; j++) base[1184 + chunk_offset(i, j)] = blk[16 + j];
                continue;
            }
            memcpy(base + 2 * i, wr + (int64_t)g * 210 + 208, 2);
            for (int k = 0; k < 16; k++) base[16 + 8 * k + i] = (uint8_t)(int8_t)sc[k];
            for (int h = 0; h < 2; h++) {
                uint8_t u[4][32];
                for (int q = 0; q < 4; q++) block_levels(type, wr, 8 * g + 4 * h + q, u[q]);
                for (int j = 0; j < 32; j++) {
                    uint8_t plane[3] = {(uint8_t)(u[0][j] | (u[3][j] >> 4) << 6), (uint8_t)(u[1][j] | ((u[3][j] >> 2) & 3) << 6),
                                        (uint8_t)(u[2][j] | (u[3][j] & 3) << 6)};
                    for (int p = 0; p < 3; p++) base[144 + 768 * h + 256 * p + chunk_offset(i, j)] = plane[p];
                }
            }
        }
    }
}

/* Row lane i = the byte at p[i] (i = 0..7) in both 16-bit halves: zero-extended (Q4_K's 6-bit scales) or
 * sign-extended (Q6_K's int8 scales, moved to the high byte and shifted back). */
T256 INLINE __m256i packed_scales8(const uint8_t* p, int sign) {
    int64_t v;
    memcpy(&v, p, 8);
    const char z = (char)0x80;
    __m256i b = _mm256_set1_epi64x(v);
    if (!sign)
        return _mm256_shuffle_epi8(b, _mm256_setr_epi8(0, z, 0, z, 1, z, 1, z, 2, z, 2, z, 3, z, 3, z,
                                                       4, z, 4, z, 5, z, 5, z, 6, z, 6, z, 7, z, 7, z));
    b = _mm256_shuffle_epi8(b, _mm256_setr_epi8(z, 0, z, 0, z, 1, z, 1, z, 2, z, 2, z, 3, z, 3,
                                                z, 4, z, 4, z, 5, z, 5, z, 6, z, 6, z, 7, z, 7));
    return _mm256_srai_epi16(b, 8);
}

/* Q6_K: the four blocks' levels u[0..3] of chunk c of half h of a packed super-block. */
T256 INLINE void packed_q6_k_levels(const uint8_t* base, int h, int c, __m256i u[4]) {
    const __m256i low6 = _mm256_set1_epi8(63), top2 = _mm256_set1_epi8((char)0xC0);
    const uint8_t* at = base + 144 + 768 * h + 32 * c;
    __m256i p1 = _mm256_loadu_si256((const __m256i*)at);
    __m256i p2 = _mm256_loadu_si256((const __m256i*)(at + 256));
    __m256i p3 = _mm256_loadu_si256((const __m256i*)(at + 512));
    u[0] = _mm256_and_si256(p1, low6);
    u[1] = _mm256_and_si256(p2, low6);
    u[2] = _mm256_and_si256(p3, low6);
    u[3] = _mm256_or_si256(_mm256_or_si256(_mm256_srli_epi16(_mm256_and_si256(p1, top2), 2),
                                           _mm256_srli_epi16(_mm256_and_si256(p2, top2), 4)),
                           _mm256_srli_epi16(_mm256_and_si256(p3, top2), 6));
}

/* Q5_K: bit k of each byte of qh moved to bit 4 (16-bit shifts: what crosses from the neighbouring byte lands
 * outside bit 4), to OR into block k's 4-bit levels. */
T256 INLINE __m256i packed_fifth_bits(__m256i qh, int k) {
    __m256i moved = k < 4 ? _mm256_slli_epi16(qh, 4 - k) : k > 4 ? _mm256_srli_epi16(qh, k - 4) : qh;
    return _mm256_and_si256(moved, _mm256_set1_epi8(16));
}

/* Q4_K, Q5_K: the levels of blocks 2h (u[0]) and 2h+1 (u[1]) in chunk c of a packed super-block. */
T256 INLINE void packed_q45_k_levels(int32_t type, const uint8_t* base, int h, int c, __m256i u[2]) {
    const __m256i low4 = _mm256_set1_epi8(15);
    __m256i v = _mm256_loadu_si256((const __m256i*)(base + 160 + 256 * h + 32 * c));
    u[0] = _mm256_and_si256(v, low4);
    u[1] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
    if (type == TYPE_Q5_K) {
        __m256i qh = _mm256_loadu_si256((const __m256i*)(base + 1184 + 32 * c));
        u[0] = _mm256_or_si256(u[0], packed_fifth_bits(qh, 2 * h));
        u[1] = _mm256_or_si256(u[1], packed_fifth_bits(qh, 2 * h + 1));
    }
}

/* Q4_K, Q5_K: acc[b] += one super-block of 8 packed rows times activation row b < B (ap: row 0's super-block, rows arb
 * apart; a: row 0's kq_act, rows nsb apart): the levels come out once for all B rows. */
T256 INLINE void packed_q45_k_superblock(int32_t type, const uint8_t* base, const uint8_t* ap, int64_t arb,
                                         const kq_act* a, int32_t nsb, __m256 acc[COLS8], const int B) {
    __m256i s1[COLS8], s2[COLS8];
    for (int b = 0; b < B; b++) s1[b] = s2[b] = _mm256_setzero_si256();
#pragma GCC unroll 4
    for (int h = 0; h < 4; h++) {
        /* mins: row lane i = (m[2h], m[2h+1]) of row i, against the activation block sums (bs[2h], bs[2h+1]) */
        const char z = (char)0x80;
        __m256i mins = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i*)(base + 96 + 16 * h))),
                                           _mm256_setr_epi8(0, z, 8, z, 1, z, 9, z, 2, z, 10, z, 3, z, 11, z,
                                                            4, z, 12, z, 5, z, 13, z, 6, z, 14, z, 7, z, 15, z));
        for (int b = 0; b < B; b++) {
            const kq_act* ab = a + (int64_t)b * nsb;
            s2[b] = _mm256_add_epi32(s2[b], _mm256_madd_epi16(mins, _mm256_set1_epi32((int)pair16(ab->bs[2 * h], ab->bs[2 * h + 1]))));
        }
        __m256i m0[COLS8], m1[COLS8]; /* blocks 2h, 2h+1 (one pair of the activations) per activation row */
        for (int b = 0; b < B; b++) m0[b] = m1[b] = _mm256_setzero_si256();
        /* chunks of levels <= 15 sum in 16 bits 8 at a time (8 * 2 * 15 * 128 < 2^15), Q5_K's (<= 31) 4 at a time */
        const int per_madd = type == TYPE_Q4_K ? 8 : 4;
#pragma GCC unroll 8
        for (int c = 0; c < 8; c++) {
            __m256i u[2];
            packed_q45_k_levels(type, base, h, c, u);
            for (int b = 0; b < B; b++) {
                const uint8_t* x0 = ap + b * arb + (int64_t)h * PAIR_BYTES;
                m0[b] = _mm256_add_epi16(m0[b], _mm256_maddubs_epi16(u[0], act_chunk(x0, c)));
                m1[b] = _mm256_add_epi16(m1[b], _mm256_maddubs_epi16(u[1], act_chunk(x0 + QK, c)));
            }
            if (c % per_madd == per_madd - 1) /* widen: times the blocks' scales, into int32 */
                for (int b = 0; b < B; b++) {
                    s1[b] = _mm256_add_epi32(s1[b], _mm256_add_epi32(_mm256_madd_epi16(m0[b], packed_scales8(base + 32 + 16 * h, 0)),
                                                                     _mm256_madd_epi16(m1[b], packed_scales8(base + 40 + 16 * h, 0))));
                    m0[b] = m1[b] = _mm256_setzero_si256();
                }
        }
    }
    __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)base));
    __m256 mdmin = _mm256_sub_ps(_mm256_setzero_ps(), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)(base + 16))));
    for (int b = 0; b < B; b++) { /* kq_finish's steps */
        __m256 dx = _mm256_set1_ps(a[(int64_t)b * nsb].dx);
        acc[b] = _mm256_fmadd_ps(_mm256_mul_ps(d, dx), _mm256_cvtepi32_ps(s1[b]), acc[b]);
        acc[b] = _mm256_fmadd_ps(_mm256_mul_ps(mdmin, dx), _mm256_cvtepi32_ps(s2[b]), acc[b]);
    }
}

/* Q6_K: acc[b] += one super-block of 8 packed rows times activation row b < B (as packed_q45_k_superblock). */
T256 INLINE void packed_q6_k_superblock(const uint8_t* base, const uint8_t* ap, int64_t arb, const kq_act* a,
                                        int32_t nsb, __m256 acc[COLS8], const int B) {
    __m256i s1[COLS8], s2[COLS8];
    for (int b = 0; b < B; b++) s1[b] = s2[b] = _mm256_setzero_si256();
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
        __m256i sc[8]; /* groups 8h .. 8h+7: block 4h+q's two groups are sc[2q], sc[2q+1] */
#pragma GCC unroll 8
        for (int k = 0; k < 8; k++) {
            sc[k] = packed_scales8(base + 16 + 8 * (8 * h + k), 1);
            for (int b = 0; b < B; b++)
                s2[b] = _mm256_add_epi32(s2[b], _mm256_madd_epi16(sc[k], _mm256_set1_epi32(a[(int64_t)b * nsb].bs[8 * h + k] & 0xFFFF)));
        }
#pragma GCC unroll 4
        for (int cp = 0; cp < 4; cp++) { /* chunks 2cp, 2cp+1: levels <= 63 sum in 16 bits two by two */
            __m256i u[2][4];
            packed_q6_k_levels(base, h, 2 * cp, u[0]);
            packed_q6_k_levels(base, h, 2 * cp + 1, u[1]);
            for (int b = 0; b < B; b++)
#pragma GCC unroll 4
                for (int q = 0; q < 4; q++) {
                    int k = 4 * h + q;
                    const uint8_t* xb = ap + b * arb + (int64_t)(k / 2) * PAIR_BYTES + (k % 2) * QK;
                    __m256i m = _mm256_add_epi16(_mm256_maddubs_epi16(u[0][q], act_chunk(xb, 2 * cp)),
                                                 _mm256_maddubs_epi16(u[1][q], act_chunk(xb, 2 * cp + 1)));
                    s1[b] = _mm256_add_epi32(s1[b], _mm256_madd_epi16(m, sc[2 * q + (cp >= 2)]));
                }
        }
    }
    __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)base)); /* kq_finish's steps, offsets per row */
    for (int b = 0; b < B; b++) {
        __m256i s = _mm256_sub_epi32(s1[b], _mm256_slli_epi32(s2[b], 5));
        acc[b] = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(a[(int64_t)b * nsb].dx)), _mm256_cvtepi32_ps(s), acc[b]);
    }
}

/* A tile of 8 packed rows (tile: its first super-block) times B <= 4 activation rows, straight from the packed
 * layout (decode, and small batches). */
T256 INLINE void packed_tile8(int32_t type, const uint8_t* tile, const uint8_t* act, int64_t arb, int32_t nsb,
                              const kq_act* ka, float* out, int64_t rows, int nr, const int B) {
    int64_t sbb = packed_superblock_bytes(type);
    __m256 acc[COLS8];
    for (int b = 0; b < B; b++) acc[b] = _mm256_setzero_ps();
    for (int32_t g = 0; g < nsb; g++) {
        const uint8_t* base = tile + g * sbb;
        for (int64_t at = 0; at < sbb; at += 64) /* the next tile's super-block */
            _mm_prefetch((const char*)(base + nsb * sbb + at), _MM_HINT_T0);
        const uint8_t* ap = act + (int64_t)4 * g * PAIR_BYTES;
        if (type != TYPE_Q6_K) packed_q45_k_superblock(type, base, ap, arb, ka + g, nsb, acc, B);
        else packed_q6_k_superblock(base, ap, arb, ka + g, nsb, acc, B);
    }
    for (int b = 0; b < B; b++) store_rows8(out + b * rows, acc[b], nr);
}

/* Tile t of 8 packed rows unpacked into kq_tile8's repacked form: interleaved levels per block, scales per
 * super-block (kq_load_scales8's non-row-by-row fields). */
T256 INLINE void packed_unpack8(int32_t type, const uint8_t* tile, int32_t nsb, kq_repacked8* rp) {
    int64_t sbb = packed_superblock_bytes(type);
    for (int32_t g = 0; g < nsb; g++) {
        const uint8_t* base = tile + g * sbb;
        kq_scales8* sc = &rp->scales[g];
        memset(sc, 0, sizeof(*sc));
        sc->d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)base));
        if (type != TYPE_Q6_K) { /* Q4_K, Q5_K */
            sc->mdmin = _mm256_sub_ps(_mm256_setzero_ps(), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)(base + 16))));
            for (int k = 0; k < 8; k++) sc->sc16[k] = packed_scales8(base + 32 + 8 * k, 0);
            for (int p = 0; p < 4; p++) { /* (m[4h+o], m[4h+o+2]), p = 2h + o */
                int lo = 4 * (p / 2) + p % 2;
                sc->pair[p] = _mm256_or_si256(_mm256_and_si256(packed_scales8(base + 96 + 8 * lo, 0), _mm256_set1_epi32(0xFFFF)),
                                              _mm256_slli_epi32(packed_scales8(base + 96 + 8 * (lo + 2), 0), 16));
            }
#pragma GCC unroll 4
            for (int h = 0; h < 4; h++) /* unrolled: Q5_K's shifts by immediates */
                for (int c = 0; c < 8; c++) {
                    __m256i u[2];
                    packed_q45_k_levels(type, base, h, c, u);
                    rp->levels[8 * g + 2 * h][c] = u[0];
                    rp->levels[8 * g + 2 * h + 1][c] = u[1];
                }
            continue;
        }
        sc->mdmin = _mm256_setzero_ps();
        for (int k = 0; k < 16; k++) sc->sc16[k] = packed_scales8(base + 16 + 8 * k, 1);
        for (int p = 0; p < 8; p++) { /* (sc[4q+o], sc[4q+o+2]), p = 2q + o */
            int lo = 4 * (p / 2) + p % 2;
            sc->pair[p] = _mm256_or_si256(_mm256_and_si256(sc->sc16[lo], _mm256_set1_epi32(0xFFFF)),
                                          _mm256_slli_epi32(sc->sc16[lo + 2], 16));
        }
        for (int h = 0; h < 2; h++)
            for (int c = 0; c < 8; c++) {
                __m256i u[4];
                packed_q6_k_levels(base, h, c, u);
                for (int q = 0; q < 4; q++) rp->levels[8 * g + 4 * h + q][c] = u[q];
            }
    }
}

/* Rows [row_start, row_end) (row_start a multiple of 8) of a packed Q4_K, Q5_K or Q6_K matrix times `batch`
 * activation rows, at AVX2 and AVX-512 alike (kq_tile8 on unpacked tiles never reaches the VNNI form, which only its
 * row-by-row decode uses). Returns 0, or -2 when the scratch for 5+ activation rows cannot be had. */
#define PACKED_KERNEL(NAME, TYPE)                                                                                \
    T256 static int32_t NAME(const uint8_t* packed, int32_t cols, const uint8_t* act, const kq_act* ka,          \
                             int32_t batch, float* out, int64_t rows, int32_t row_start, int32_t row_end) {       \
        const int32_t type = TYPE;                                                                               \
        int32_t nb = cols / QK, nsb = nb / 8;                                                                    \
        int64_t arb = act_row_bytes(cols), sbb = packed_superblock_bytes(type);                                 \
        if (batch <= COLS8) { /* straight from the packed layout */                                              \
            for (int32_t r0 = row_start; r0 < row_end; r0 += ROWS8) {                                            \
                const uint8_t* tile = packed + (int64_t)(r0 / 8) * nsb * sbb;                                   \
                int nr = row_end - r0 < ROWS8 ? row_end - r0 : ROWS8;                                            \
                switch (batch) {                                                                                 \
                    case 1: packed_tile8(type, tile, act, arb, nsb, ka, out + r0, rows, nr, 1); break;           \
                    case 2: packed_tile8(type, tile, act, arb, nsb, ka, out + r0, rows, nr, 2); break;           \
                    case 3: packed_tile8(type, tile, act, arb, nsb, ka, out + r0, rows, nr, 3); break;           \
                    default: packed_tile8(type, tile, act, arb, nsb, ka, out + r0, rows, nr, 4); break;          \
                }                                                                                                \
            }                                                                                                    \
            return 0;                                                                                            \
        }                                                                                                        \
        size_t level_bytes = sizeof(__m256i[8]) * (size_t)nb;                                                    \
        void* buf = aligned_alloc(32, level_bytes + sizeof(kq_scales8) * (size_t)nsb);                           \
        if (buf == NULL) return -2;                                                                              \
        kq_repacked8 repacked = {buf, (kq_scales8*)((uint8_t*)buf + level_bytes)};                               \
        kq_repacked8* rp = &repacked;                                                                            \
        const uint8_t* w = NULL;                                                                                 \
        int64_t wrb = 0;                                                                                         \
        FOR_TILES8(packed_unpack8(type, packed + (int64_t)(r0 / 8) * nsb * sbb, nsb, rp), KTILE8)                \
        free(buf);                                                                                               \
        return 0;                                                                                                \
    }
#define KTILE8(B)                                                                                                 \
    kq_tile8(type, w, wrb, rp, act + b0 * arb, arb, nb, ka + (int64_t)b0 * nsb, out + b0 * rows + r0, rows, nr, B, \
             KQ_PLAIN)
PACKED_KERNEL(packed_q4_k_avx2, TYPE_Q4_K)
PACKED_KERNEL(packed_q5_k_avx2, TYPE_Q5_K)
PACKED_KERNEL(packed_q6_k_avx2, TYPE_Q6_K)
#undef KTILE8
#undef PACKED_KERNEL

#endif
