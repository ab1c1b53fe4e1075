/*
 * Kernels for the weight types whose values are an affine function of small unsigned levels:
 *   Q4_1 (3), Q5_0 (6), Q5_1 (7): blocks of 32, value = d*u + m (Q5_0: d*(u - 16))
 *   Q6_K (14):                   super-blocks of 256, sub-blocks of 16, value = (d*sc)*(u - 32)
 * (Q4_K and Q5_K run the integer kernels of kernels_kquant_avx2.h at this level too, with VNNI.)
 * (layouts: dev.canopy.executor.tensor.LegacyQuants and KQuants; types, sizes and block_sums in
 * kernels_affine_common.h). Included by canopy_kernels.c; MXFP4 and the lower levels use kernels_affine_avx2.h
 * and kernels_affine_common.h.
 *
 * Activations come from canopy_quantize (8 bits per block of 32, in pairs of blocks). Per pair of blocks
 * of one weight row the weights are unpacked to 64 unsigned levels u (0..63) with a scale a and an
 * offset c per group of 4 values (one int32 lane of a dot product), so that w = a*u + c. Then
 *   sum_i w_i x_i ~ sum_lanes dx * a * sum_4 u*xq  +  sum_groups c * S
 * where sum_4 u*xq is one VNNI dot product lane and S = dx * sum(xq) of a group of values (a block or
 * sub-block), computed once per call (block_sums); the offsets are added once per 16 groups.
 * Every (row, activation row) pair accumulates its own lanes in pair order, whatever tile it is in,
 * and is reduced by one fixed sequence: results do not depend on the batch size or the row range.
 */

/* Levels of Q6_K pair p (values 64p .. 64p+63) of one weight row. */
T512 INLINE __m512i q6_k_levels512(const uint8_t* wr, int32_t p) {
    int chunk = p % 4;
    const uint8_t* blk = wr + (int64_t)(p / 4) * 210;
    int h = chunk / 2, j = chunk % 2;
    __m512i ql = _mm512_loadu_si512(blk + 64 * h);
    __m512i nib = _mm512_and_si512(j == 0 ? ql : _mm512_srli_epi16(ql, 4), _mm512_set1_epi8(15));
    /* high bits: bits 4j,4j+1 of qh for the first 32 levels, 4j+2,4j+3 for the next 32, moved to bits 4,5: qh in
       both halves, one variable shift per half (whole 16-bit words: bits crossing into the other byte of a word
       land outside 0x30), one mask */
    __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i*)(blk + 128 + 32 * h)));
    __m512i high = j == 0
        ? _mm512_sllv_epi16(qh, _mm512_inserti64x4(_mm512_set1_epi16(4), _mm256_set1_epi16(2), 1))
        : _mm512_srlv_epi16(qh, _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(2), 1));
    return _mm512_or_si512(nib, _mm512_and_si512(high, _mm512_set1_epi8(0x30)));
}

/* The scales of Q6_K super-block sb of one row as 16 floats: lane g = d*scales[g]. */
T512 INLINE __m512 q6_k_scales512(const uint8_t* wr, int32_t sb) {
    const uint8_t* blk = wr + (int64_t)sb * 210;
    __m512 sc = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*)(blk + 192))));
    return _mm512_mul_ps(sc, _mm512_set1_ps(_cvtsh_ss(load_u16(blk + 208))));
}

/* Lane indices into q6_k_scales512 (Q6_K) or legacy_scales512 (the others, of a group's first pair) of the scales
 * for pair chunk c (0..3) of a super-block. */
T512 INLINE __m512i scale_index512(int32_t type, int chunk) {
    if (type == TYPE_Q6_K) { /* four 16-value groups 4c .. 4c+3, each over 4 lanes */
        __m512i lane = _mm512_srli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 2);
        return _mm512_add_epi32(lane, _mm512_set1_epi32(4 * chunk));
    }
    int first = 2 * chunk;
    return _mm512_inserti64x4(_mm512_set1_epi32(first), _mm256_set1_epi32(first + 1), 1);
}

/*
 * Levels of Q4_1/Q5_0/Q5_1 pair p (blocks 2p and, when full, 2p+1) of one weight row: bytes 0-31 values 0..31 of
 * block 2p, bytes 32-63 those of block 2p+1 (zeros when not full). The 16 packed bytes of each block go to two
 * 128-bit lanes, [qs0 qs0 qs1 qs1], lanes 1 and 3 shifted down by 4, one mask: low nibbles are values 0..15, high
 * nibbles 16..31. Q5_0/Q5_1: bit i of a block's 32-bit qh adds 16 to its value i, one masked add for the pair.
 */
T512 INLINE __m512i legacy_levels512(int32_t type, const uint8_t* wr, int32_t p, int full) {
    int64_t size = legacy_block_bytes(type);
    int qs = type == TYPE_Q4_1 ? 4 : type == TYPE_Q5_0 ? 6 : 8; /* Q5_0/Q5_1: qh in the 4 bytes before qs */
    const uint8_t* b0 = wr + 2 * p * size;
    __m128i q0 = _mm_loadu_si128((const __m128i*)(b0 + qs));
    __m512i v = full ? _mm512_mask_broadcast_i32x4(_mm512_broadcast_i32x4(q0), 0xFF00,
                                                   _mm_loadu_si128((const __m128i*)(b0 + size + qs)))
                     : _mm512_maskz_broadcast_i32x4(0x00FF, q0);
    __m512i u = _mm512_and_si512(_mm512_mask_srli_epi16(v, 0xFF00FF00u, v, 4), _mm512_set1_epi8(15));
    if (type == TYPE_Q4_1) return u;
    uint32_t h0, h1 = 0;
    memcpy(&h0, b0 + qs - 4, 4);
    if (full) memcpy(&h1, b0 + size + qs - 4, 4);
    return _mm512_mask_add_epi8(u, (__mmask64)h1 << 32 | h0, u, _mm512_set1_epi8(16));
}

/* Scale groups of Q4_1/Q5_0/Q5_1: 16 blocks (8 pairs) share one vector of scales. */
#define LEGACY_GROUP 16

/* Which of the 16 blocks of legacy scale group g exist in a row of nb blocks. */
static __mmask16 legacy_group_lanes(int32_t g, int32_t nb) {
    int32_t n = nb - LEGACY_GROUP * g;
    return n >= LEGACY_GROUP ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}

/*
 * Scales of blocks 16g .. 16g+15 of one Q4_1/Q5_0/Q5_1 row (lane i: block 16g+i, zeros past the row's end):
 * *d the scales d, *m the offsets per unit of activation sum (Q4_1/Q5_1 m, Q5_0 -16*d). One gather of the
 * blocks' first 4 bytes (fp16 d, then Q4_1/Q5_1's fp16 m) and one conversion per 16 halves.
 */
T512 INLINE void legacy_scales512(int32_t type, const uint8_t* wr, int32_t g, int32_t nb, __m512* d, __m512* m) {
    int64_t size = legacy_block_bytes(type);
    __m512i offsets = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                         _mm512_set1_epi32((int)size));
    __m512i words = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), legacy_group_lanes(g, nb), offsets,
                                                wr + (int64_t)g * LEGACY_GROUP * size, 1);
    *d = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(words));
    *m = type == TYPE_Q5_0 ? _mm512_mul_ps(*d, _mm512_set1_ps(-16.0f))
                           : _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(words, 16)));
}

T512 INLINE void affine_tile512(int32_t type, const uint8_t* w, int64_t wrb, const uint8_t* act, int64_t arb,
                                int32_t nb, const float* sums, float* out, int64_t rows, const int R, const int B) {
    __m512 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) acc[r][b] = _mm512_setzero_ps();
    const int kquant = is_kquant(type);
    __m512 scales[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    __m512i index_a[4]; /* per chunk of a super-block: the lanes of its scales (legacy types: of the group's first pair) */
    for (int chunk = 0; chunk < 4; chunk++) index_a[chunk] = scale_index512(type, chunk);
    int64_t pair_bytes = wrb / ((nb + 1) / 2); /* average bytes per pair, to prefetch ahead */
    for (int32_t p = 0; p < (nb + 1) / 2; p++) {
        __m512i u[4];
        __m512 a[4];
        for (int r = 0; r < R; r++) PREFETCH_NEXT_TILE(w + r * wrb + p * pair_bytes, wrb);
        if (kquant) {
            int chunk = p % 4;
            __m512i ia = index_a[chunk];
            for (int r = 0; r < R; r++) {
                if (chunk == 0) scales[r] = q6_k_scales512(w + r * wrb, p / 4);
                u[r] = q6_k_levels512(w + r * wrb, p);
                a[r] = _mm512_permutexvar_ps(ia, scales[r]);
            }
            if (chunk == 0) { /* the super-block's offsets: lane g of scales (d*sc_g) times -32*S_g */
                int64_t ng = sum_stride(type, nb);
                for (int b = 0; b < B; b++) {
                    const float* sb = sums + (int64_t)b * ng;
                    __m512 s = _mm512_loadu_ps(sb + 16 * (p / 4));
                    for (int r = 0; r < R; r++) acc[r][b] = _mm512_fmadd_ps(scales[r], s, acc[r][b]);
                }
            }
        } else {
            int slot = p % (LEGACY_GROUP / 2); /* the pair's place in its scale group */
            if (slot == 0) { /* the group's scales, and its offsets (m_k times S_k) */
                int32_t g = p / (LEGACY_GROUP / 2);
                __m512 m[4];
                for (int r = 0; r < R; r++) legacy_scales512(type, w + r * wrb, g, nb, &scales[r], &m[r]);
                for (int b = 0; b < B; b++) {
                    __m512 s = _mm512_maskz_loadu_ps(legacy_group_lanes(g, nb), sums + (int64_t)b * sum_stride(type, nb) + LEGACY_GROUP * g);
                    for (int r = 0; r < R; r++) acc[r][b] = _mm512_fmadd_ps(m[r], s, acc[r][b]);
                }
            }
            __m512i ia = _mm512_add_epi32(index_a[0], _mm512_set1_epi32(2 * slot)); /* lanes 2*slot, 2*slot+1 */
            for (int r = 0; r < R; r++) {
                u[r] = legacy_levels512(type, w + r * wrb, p, 2 * p + 1 < nb);
                a[r] = _mm512_permutexvar_ps(ia, scales[r]);
            }
        }
        for (int b = 0; b < B; b++) {
            const uint8_t* ap = act + b * arb + (int64_t)p * PAIR_BYTES;
            __m512i xq = _mm512_loadu_si512(ap);
            __m512 dx = _mm512_loadu_ps(ap + 64);
            for (int r = 0; r < R; r++) { /* offsets were added per group */
                __m512 dot = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), u[r], xq));
                acc[r][b] = _mm512_fmadd_ps(_mm512_mul_ps(dot, a[r]), dx, acc[r][b]);
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) out[b * rows + r] = _mm512_reduce_add_ps(acc[r][b]);
}

/* One type's kernel: the type is a constant in each copy, so its branches fold away. */
#define AFFINE_KERNEL512(NAME, TYPE)                                                                              \
    T512 static void NAME(const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch, const float* sums,   \
                          float* out, int64_t rows, int32_t row_start, int32_t row_end) {                         \
        const int32_t type = TYPE;                                                                               \
        int32_t nb = cols / QK;                                                                                  \
        int64_t wrb = affine_row_bytes(type, cols);                                                              \
        int64_t arb = act_row_bytes(cols);                                                                       \
        FOR_TILES(4, 4, ATILE512)                                                                                \
    }
#define ATILE512(R, B)                                                                                   \
    affine_tile512(type, w + r0 * wrb, wrb, act + b0 * arb, arb, nb,                                    \
                   sums + (int64_t)b0 * sum_stride(type, nb),                                                       \
                   out + b0 * rows + r0, rows, R, B)
AFFINE_KERNEL512(affine_q4_1_avx512, TYPE_Q4_1)
AFFINE_KERNEL512(affine_q5_0_avx512, TYPE_Q5_0)
AFFINE_KERNEL512(affine_q5_1_avx512, TYPE_Q5_1)
AFFINE_KERNEL512(affine_q6_k_avx512, TYPE_Q6_K)
#undef ATILE512
#undef AFFINE_KERNEL512

/* Q4_1/Q5_0/Q5_1/Q6_K weights times canopy_quantize activations, sums from block_sums. */
T512 static void affine_avx512(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch,
                               const float* sums, float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    switch (type) {
        case TYPE_Q4_1: affine_q4_1_avx512(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        case TYPE_Q5_0: affine_q5_0_avx512(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        case TYPE_Q5_1: affine_q5_1_avx512(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
        default: affine_q6_k_avx512(w, cols, act, batch, sums, out, rows, row_start, row_end); break;
    }
}
