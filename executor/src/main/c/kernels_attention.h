/* Causal attention over an F32 paged KV cache (canopy_attend): the Java Vector API attention
 * (dev.canopy.executor.model.Attention) in C, bit for bit.
 *
 * The Java code computes at a lane width it picks from the JVM's vector size (16, 8, or 1 for its scalar path),
 * and the lane width fixes the order of every float operation: q.k is a fused multiply-add chain per lane over the
 * head's chunks, then a tree that adds lane i + half onto lane i (half = lanes/2 .. 1); exp is FastExp (Cephes
 * expf from exactly rounded steps); a block's exps are summed in position order; the weighted values are one
 * fused multiply-add chain per element in position order; blocks merge by log-sum-exp with separate products.
 * These kernels take the lane width as an argument and keep that order exactly, so a row's output is the same
 * whichever implementation, level or batch computes it. What changes is how many positions are worked on at
 * once: AVX-512 (16 lanes) and AVX2 (8 lanes) compute the scores of 16 or 8 positions together and add their
 * lane trees by transposing (the same pairs of lanes are added, in the same tree), where Java reduces one
 * position at a time. Other widths and levels (portable C, aarch64) run the plain C loops below, which keep the
 * order by construction.
 *
 * Part of canopy_kernels.c (one translation unit): include only from there. */
#ifndef CANOPY_KERNELS_ATTENTION_H
#define CANOPY_KERNELS_ATTENTION_H

#include <math.h>

/* FastExp's constants (dev.canopy.executor.tensor.FastExp) */
#define FE_LOG2E 1.44269504088896341f
#define FE_LN2_HI 0.693359375f
#define FE_LN2_LO -2.12194440e-4f
#define FE_ROUNDER 12582912.0f
#define FE_MAX_ARG 88.72283f
#define FE_MIN_ARG -87.33654f
#define FE_P0 1.9875691500e-4f
#define FE_P1 1.3981999507e-3f
#define FE_P2 8.3334519073e-3f
#define FE_P3 4.1665795894e-2f
#define FE_P4 1.6666665459e-1f
#define FE_P5 5.0000001201e-1f

/* FastExp.exp(float), the same steps (the library is built with -ffp-contract=off: only fmaf fuses). */
INLINE float attn_exp(float x) {
    if (!(x >= FE_MIN_ARG)) return x != x ? x : 0.0f;
    if (x > FE_MAX_ARG) return INFINITY;
    float n = (x * FE_LOG2E + FE_ROUNDER) - FE_ROUNDER;
    float r = fmaf(n, -FE_LN2_LO, fmaf(n, -FE_LN2_HI, x));
    float p = fmaf(fmaf(fmaf(fmaf(fmaf(FE_P0, r, FE_P1), r, FE_P2), r, FE_P3), r, FE_P4), r, FE_P5);
    float y = fmaf(p, r * r, r) + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float two_n;
    memcpy(&two_n, &bits, 4);
    return y * two_n;
}

/* Java's Math.max(float, float): NaN if either is, +0 above -0. */
INLINE float java_maxf(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? b : a;
    return a > b ? a : b;
}

/* The largest of scores[0 .. n), by Java's Math.max (its result does not depend on the order). */
INLINE float attn_max(const float* scores, int32_t n) {
    float m = -INFINITY;
    for (int32_t j = 0; j < n; j++) m = java_maxf(m, scores[j]);
    return m;
}

/* scores[0] + scores[1] + ... in position order, as Java sums a block's exps. */
INLINE float attn_sum(const float* scores, int32_t n) {
    float sum = 0.0f;
    for (int32_t j = 0; j < n; j++) sum += scores[j];
    return sum;
}

/* What every kernel needs: see canopy_attend. */
typedef struct {
    int32_t lanes, head_dim;
    float scale;
    const float* q;
    const int32_t *q_base, *last_pos, *tables, *table_start;
    int32_t g;
    const float *keys, *values;
    int32_t kv_dim, block_size, head_from, head_to, group_size, window;
    const float* sinks;
    float* out;
} attend_args;

/* ------------------------------------------------------------------ any lane width, plain C */

/* scores[j] = (q . k_j) * scale for j < n, k_j at k + j * stride, at lane width `lanes`; returns their maximum. */
INLINE float attn_scores_c(int32_t lanes, const float* q, const float* k, int64_t stride, int32_t n,
                           int32_t head_dim, float scale, float* scores) {
    for (int32_t j = 0; j < n; j++) {
        const float* kj = k + j * stride;
        float s;
        if (lanes == 1) { /* Java's scalar path: products added, not fused */
            s = 0.0f;
            for (int32_t i = 0; i < head_dim; i++) s += q[i] * kj[i];
        } else {
            float acc[16] = {0};
            for (int32_t c = 0; c < head_dim; c += lanes) {
                for (int32_t l = 0; l < lanes; l++) acc[l] = fmaf(q[c + l], kj[c + l], acc[l]);
            }
            for (int32_t half = lanes / 2; half >= 1; half /= 2) {
                for (int32_t l = 0; l < half; l++) acc[l] += acc[l + half];
            }
            s = acc[0];
        }
        scores[j] = s * scale;
    }
    return attn_max(scores, n);
}

/* part[d] = sum_j w[j] * v_j[d] for j < n in j order from zero: fused per term (vector paths) or not (lanes 1). The
 * loop over d is inside, so that it vectorizes; each element still adds its terms in j order. */
INLINE void attn_weighted_c(int32_t lanes, const float* w, int32_t n, const float* v, int64_t stride,
                            int32_t head_dim, float* part) {
    for (int32_t d = 0; d < head_dim; d++) part[d] = 0.0f;
    for (int32_t j = 0; j < n; j++) {
        const float* vj = v + j * stride;
        if (lanes == 1) {
            for (int32_t d = 0; d < head_dim; d++) part[d] += w[j] * vj[d];
        } else {
            for (int32_t d = 0; d < head_dim; d++) part[d] = fmaf(vj[d], w[j], part[d]);
        }
    }
}

/* The plain C steps with the lane width a constant 8 (Java's width on aarch64 and on AVX2 JVMs), so that the
 * compiler unrolls the lanes into vector operations. */
INLINE float attn_scores_c8(int32_t lanes, const float* q, const float* k, int64_t stride, int32_t n,
                            int32_t head_dim, float scale, float* scores) {
    (void)lanes;
    return attn_scores_c(8, q, k, stride, n, head_dim, scale, scores);
}

INLINE void attn_weighted_c8(int32_t lanes, const float* w, int32_t n, const float* v, int64_t stride,
                             int32_t head_dim, float* part) {
    (void)lanes;
    attn_weighted_c(8, w, n, v, stride, head_dim, part);
}

/* scores[j] = exp(scores[j] - m); returns their sum in j order. */
INLINE float attn_exp_sum_c(float* scores, int32_t n, float m) {
    for (int32_t j = 0; j < n; j++) scores[j] = attn_exp(scores[j] - m);
    return attn_sum(scores, n);
}

/* ------------------------------------------------------------------ the loop all widths share */

/* Folds one block's partial (max m, sum s, values part) into a query head's running state; the products are
 * separate roundings, as in Java. */
INLINE void attn_merge(float m, float s, const float* part, float* max, float* sum, float* acc, int32_t head_dim,
                       int first) {
    if (first) {
        *max = m;
        *sum = s;
        memcpy(acc, part, sizeof(float) * (size_t)head_dim);
        return;
    }
    float new_max = java_maxf(*max, m);
    float a = attn_exp(*max - new_max);
    float b = attn_exp(m - new_max);
    *sum = *sum * a + s * b;
    for (int32_t d = 0; d < head_dim; d++) acc[d] = acc[d] * a + part[d] * b;
    *max = new_max;
}

/* The block-major loop of Attention.attendGroup with SCORES, EXP_SUM and WEIGHTED as its three steps, compiled
 * once per target. Returns 0, or -2 when its scratch cannot be allocated. */
#define ATTEND_LOOP(NAME, TARGET, SCORES, EXP_SUM, WEIGHTED)                                                         \
    TARGET static int32_t NAME(const attend_args* a) {                                                               \
        const int32_t g = a->g, nh = a->head_to - a->head_from, hd = a->head_dim, bs = a->block_size;              \
        float* scratch = malloc(sizeof(float) * ((size_t)g * nh * (hd + 2) + hd + bs));                        \
        if (scratch == NULL) return -2;                                                                              \
        float* max = scratch;                          /* (g, nh) running max of scores */                          \
        float* sum = max + (size_t)g * nh;             /* (g, nh) running sum of exp(score - max) */                \
        float* acc = sum + (size_t)g * nh;             /* (g, nh, hd) running sum of exp(score - max) v */          \
        float* part = acc + (size_t)g * nh * hd;       /* (hd) one block's weighted values */                       \
        float* scores = part + hd;                     /* (bs) one block's scores */                           \
        int32_t max_block = 0;                                                                                       \
        for (int32_t i = 0; i < g; i++) {                                                                            \
            if (a->last_pos[i] / bs > max_block) max_block = a->last_pos[i] / bs;                                  \
        }                                                                                                            \
        for (int32_t blk = 0; blk <= max_block; blk++) {                                                             \
            for (int32_t h = a->head_from; h < a->head_to; h++) {                                                    \
                int32_t kv_head = h / a->group_size;                                                                 \
                for (int32_t i = 0; i < g; i++) {                                                                    \
                    int32_t last = a->last_pos[i];                                                                   \
                    int64_t first_pos = (int64_t)last - a->window + 1;                                              \
                    if (first_pos < 0) first_pos = 0;                                                                \
                    if ((int64_t)blk * bs > last || (int64_t)(blk + 1) * bs <= first_pos) continue;                 \
                    int32_t n = last - blk * bs + 1 < bs ? last - blk * bs + 1 : bs;                                \
                    int32_t skip = first_pos - (int64_t)blk * bs > 0 ? (int32_t)(first_pos - (int64_t)blk * bs) : 0; \
                    int64_t block = a->tables[a->table_start[i] + blk];                                              \
                    int64_t from = (block * bs + skip) * a->kv_dim + (int64_t)kv_head * hd;                          \
                    int32_t seen = n - skip;                                                                         \
                    const float* q = a->q + a->q_base[i] + (int64_t)h * hd;                                         \
                    float m = SCORES(a->lanes, q, a->keys + from, a->kv_dim, seen, hd, a->scale, scores);            \
                    float part_sum = EXP_SUM(scores, seen, m);                                                       \
                    WEIGHTED(a->lanes, scores, seen, a->values + from, a->kv_dim, hd, part);                         \
                    int32_t state = i * nh + h - a->head_from;                                                       \
                    attn_merge(m, part_sum, part, &max[state], &sum[state], acc + (size_t)state * hd, hd,           \
                               blk == first_pos / bs);                                                               \
                }                                                                                                    \
            }                                                                                                        \
        }                                                                                                            \
        for (int32_t i = 0; i < g; i++) {                                                                            \
            for (int32_t h = a->head_from; h < a->head_to; h++) {                                                    \
                int32_t state = i * nh + h - a->head_from;                                                           \
                float inv = 1.0f / sum[state];                                                                       \
                if (a->sinks != NULL) { /* the sink joins the softmax's denominator only */                          \
                    float m = java_maxf(max[state], a->sinks[h]);                                                    \
                    float e = attn_exp(max[state] - m);                                                              \
                    inv = e / (sum[state] * e + attn_exp(a->sinks[h] - m));                                          \
                }                                                                                                    \
                float* o = a->out + a->q_base[i] + (int64_t)h * hd;                                                 \
                const float* s = acc + (size_t)state * hd;                                                           \
                for (int32_t d = 0; d < hd; d++) o[d] = s[d] * inv;                                                  \
            }                                                                                                        \
        }                                                                                                            \
        free(scratch);                                                                                               \
        return 0;                                                                                                    \
    }

ATTEND_LOOP(attend_c, , attn_scores_c, attn_exp_sum_c, attn_weighted_c)
ATTEND_LOOP(attend_c8, , attn_scores_c8, attn_exp_sum_c, attn_weighted_c8)

#if defined(__x86_64__)

/* ------------------------------------------------------------------ the vector steps, one definition per width */

/* SCORES for W lanes of VEC: the scores of W positions at once, each position's lanes a fused multiply-add chain
 * over the head's chunks, then TREE adds each position's lanes in Java's tree, all positions together. Positions
 * past n (the last group) repeat the last one and are not stored. */
#define ATTN_SCORES(NAME, TARGET, VEC, W, ZERO, LOAD, STORE, FMADD, MUL, SET1, TREE)                                  \
    TARGET static float NAME(int32_t lanes, const float* q, const float* k, int64_t stride, int32_t n,               \
                             int32_t head_dim, float scale, float* scores) {                                         \
        (void)lanes;                                                                                                 \
        for (int32_t j0 = 0; j0 < n; j0 += W) {                                                                      \
            int32_t count = n - j0 < W ? n - j0 : W;                                                                 \
            const float* kp[W];                                                                                      \
            for (int p = 0; p < W; p++) kp[p] = k + (int64_t)(j0 + (p < count ? p : count - 1)) * stride;          \
            VEC acc[W];                                                                                              \
            for (int p = 0; p < W; p++) acc[p] = ZERO();                                                             \
            for (int32_t c = 0; c < head_dim; c += W) {                                                              \
                VEC qc = LOAD(q + c);                                                                                \
                _Pragma("GCC unroll 16") for (int p = 0; p < W; p++) acc[p] = FMADD(qc, LOAD(kp[p] + c), acc[p]);    \
            }                                                                                                        \
            VEC s = MUL(TREE(acc), SET1(scale));                                                                     \
            if (count == W) {                                                                                        \
                STORE(scores + j0, s);                                                                               \
            } else {                                                                                                 \
                float tmp[W];                                                                                        \
                STORE(tmp, s);                                                                                       \
                memcpy(scores + j0, tmp, sizeof(float) * (size_t)count);                                             \
            }                                                                                                        \
        }                                                                                                            \
        return attn_max(scores, n);                                                                                  \
    }

/* WEIGHTED for W lanes of VEC: four chunks of the head at once (Java's four independent chains at 16 lanes), each
 * element's chain in position order. */
#define ATTN_WEIGHTED(NAME, TARGET, VEC, W, ZERO, LOAD, STORE, FMADD, SET1)                                            \
    TARGET static void NAME(int32_t lanes, const float* w, int32_t n, const float* v, int64_t stride,                 \
                            int32_t head_dim, float* part) {                                                         \
        (void)lanes;                                                                                                 \
        int32_t c = 0;                                                                                               \
        for (; c + 4 * W <= head_dim; c += 4 * W) {                                                                  \
            VEC a0 = ZERO(), a1 = a0, a2 = a0, a3 = a0;                                                              \
            for (int32_t j = 0; j < n; j++) {                                                                        \
                VEC wj = SET1(w[j]);                                                                                 \
                const float* vj = v + j * stride + c;                                                                \
                a0 = FMADD(LOAD(vj), wj, a0);                                                                        \
                a1 = FMADD(LOAD(vj + W), wj, a1);                                                                    \
                a2 = FMADD(LOAD(vj + 2 * W), wj, a2);                                                                \
                a3 = FMADD(LOAD(vj + 3 * W), wj, a3);                                                                \
            }                                                                                                        \
            STORE(part + c, a0);                                                                                     \
            STORE(part + c + W, a1);                                                                                 \
            STORE(part + c + 2 * W, a2);                                                                             \
            STORE(part + c + 3 * W, a3);                                                                             \
        }                                                                                                            \
        for (; c < head_dim; c += W) {                                                                               \
            VEC a0 = ZERO();                                                                                         \
            for (int32_t j = 0; j < n; j++) a0 = FMADD(LOAD(v + j * stride + c), SET1(w[j]), a0);                    \
            STORE(part + c, a0);                                                                                     \
        }                                                                                                            \
    }

/* ------------------------------------------------------------------ AVX-512: 16 lanes */

/* FastExp's vector form on 16 lanes (the same bits as attn_exp in every lane). */
T512 INLINE __m512 attn_exp16(__m512 x) {
    __m512 c = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(FE_MIN_ARG)), _mm512_set1_ps(FE_MAX_ARG));
    __m512 n = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(c, _mm512_set1_ps(FE_LOG2E)), _mm512_set1_ps(FE_ROUNDER)),
                             _mm512_set1_ps(FE_ROUNDER));
    __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-FE_LN2_HI), c);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(-FE_LN2_LO), r);
    __m512 p = _mm512_fmadd_ps(r, _mm512_set1_ps(FE_P0), _mm512_set1_ps(FE_P1));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(FE_P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(FE_P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(FE_P4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(FE_P5));
    __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127)), 23);
    __m512 e = _mm512_mul_ps(y, _mm512_castsi512_ps(bits));
    e = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(FE_MIN_ARG), _CMP_LT_OQ), e, _mm512_setzero_ps());
    e = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(FE_MAX_ARG), _CMP_GT_OQ), e,
                             _mm512_set1_ps(INFINITY));
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), e, x);
}

T512 static float attn_exp_sum16(float* scores, int32_t n, float m) {
    int32_t j = 0;
    for (; j + 16 <= n; j += 16) {
        _mm512_storeu_ps(scores + j, attn_exp16(_mm512_sub_ps(_mm512_loadu_ps(scores + j), _mm512_set1_ps(m))));
    }
    for (; j < n; j++) scores[j] = attn_exp(scores[j] - m);
    return attn_sum(scores, n);
}

/* Lane 0 of Java's tree over each of 16 vectors (one per position), as 16 lanes in position order: the tree's
 * steps i + 8, i + 4, i + 2, i + 1 done for all positions at once by transposing. */
T512 INLINE __m512 attn_tree16x16(const __m512* acc) {
    __m512 s[8], t[4], u[2];
    for (int p = 0; p < 8; p++) { /* s[p]: positions 2p | 2p+1, lanes i + (i+8) */
        s[p] = _mm512_add_ps(_mm512_shuffle_f32x4(acc[2 * p], acc[2 * p + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                             _mm512_shuffle_f32x4(acc[2 * p], acc[2 * p + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    }
    for (int p = 0; p < 4; p++) { /* t[p]: positions 4p .. 4p+3 in its 128-bit lanes, lanes i + (i+4) */
        t[p] = _mm512_add_ps(_mm512_shuffle_f32x4(s[2 * p], s[2 * p + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                             _mm512_shuffle_f32x4(s[2 * p], s[2 * p + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    }
    for (int p = 0; p < 2; p++) { /* u[p], 128-bit lane L: positions 8p+L (elements 0-1), 8p+4+L (2-3), i + (i+2) */
        u[p] = _mm512_add_ps(_mm512_shuffle_ps(t[2 * p], t[2 * p + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                             _mm512_shuffle_ps(t[2 * p], t[2 * p + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    }
    /* lane 4L + j: position 4j + L, element 0 + element 1 */
    __m512 z = _mm512_add_ps(_mm512_shuffle_ps(u[0], u[1], _MM_SHUFFLE(2, 0, 2, 0)),
                             _mm512_shuffle_ps(u[0], u[1], _MM_SHUFFLE(3, 1, 3, 1)));
    return _mm512_permutexvar_ps(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), z);
}

ATTN_SCORES(attn_scores16, T512, __m512, 16, _mm512_setzero_ps, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_fmadd_ps,
            _mm512_mul_ps, _mm512_set1_ps, attn_tree16x16)
ATTN_WEIGHTED(attn_weighted16, T512, __m512, 16, _mm512_setzero_ps, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_fmadd_ps,
              _mm512_set1_ps)
ATTEND_LOOP(attend16_avx512, T512, attn_scores16, attn_exp_sum16, attn_weighted16)

/* ------------------------------------------------------------------ AVX2: 8 lanes */

/* Lane 0 of Java's 8-lane tree (i + 4, i + 2, i + 1) over each of 8 vectors, as 8 lanes in position order. */
T256 INLINE __m256 attn_tree8x8(const __m256* acc) {
    __m256 s[4], t[2];
    for (int p = 0; p < 4; p++) { /* s[p]: positions 2p | 2p+1 in its 128-bit halves, lanes i + (i+4) */
        s[p] = _mm256_add_ps(_mm256_permute2f128_ps(acc[2 * p], acc[2 * p + 1], 0x20),
                             _mm256_permute2f128_ps(acc[2 * p], acc[2 * p + 1], 0x31));
    }
    for (int p = 0; p < 2; p++) { /* t[p], half L: positions 4p+L (elements 0-1), 4p+2+L (2-3), i + (i+2) */
        t[p] = _mm256_add_ps(_mm256_shuffle_ps(s[2 * p], s[2 * p + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                             _mm256_shuffle_ps(s[2 * p], s[2 * p + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    }
    /* lane 4L + j: position 2j + L, element 0 + element 1 */
    __m256 z = _mm256_add_ps(_mm256_shuffle_ps(t[0], t[1], _MM_SHUFFLE(2, 0, 2, 0)),
                             _mm256_shuffle_ps(t[0], t[1], _MM_SHUFFLE(3, 1, 3, 1)));
    return _mm256_permutevar8x32_ps(z, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

ATTN_SCORES(attn_scores8, T256, __m256, 8, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_fmadd_ps,
            _mm256_mul_ps, _mm256_set1_ps, attn_tree8x8)
ATTN_WEIGHTED(attn_weighted8, T256, __m256, 8, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_fmadd_ps,
              _mm256_set1_ps)

/* Java's 8-lane path exponentiates one value at a time; the same bits, so the plain loop serves. */
ATTEND_LOOP(attend8_avx2, T256, attn_scores8, attn_exp_sum_c, attn_weighted8)

/* The 16-lane order on AVX2 (a JVM with 512-bit vectors and the library forced down to AVX2): lanes 0-7 and 8-15 of
 * each position in two registers; the 16-lane tree's first step (i + 8) adds the two, and the rest is the 8-lane
 * tree, so attn_tree8x8 finishes it. The weighted values are per-element chains, the same at any width. */
T256 static float attn_scores16_avx2(int32_t lanes, const float* q, const float* k, int64_t stride, int32_t n,
                                     int32_t head_dim, float scale, float* scores) {
    (void)lanes;
    for (int32_t j0 = 0; j0 < n; j0 += 8) {
        int32_t count = n - j0 < 8 ? n - j0 : 8;
        __m256 lo[8], hi[8];
        for (int p = 0; p < 8; p++) {
            const float* kp = k + (int64_t)(j0 + (p < count ? p : count - 1)) * stride;
            lo[p] = _mm256_setzero_ps();
            hi[p] = _mm256_setzero_ps();
            for (int32_t c = 0; c < head_dim; c += 16) {
                lo[p] = _mm256_fmadd_ps(_mm256_loadu_ps(q + c), _mm256_loadu_ps(kp + c), lo[p]);
                hi[p] = _mm256_fmadd_ps(_mm256_loadu_ps(q + c + 8), _mm256_loadu_ps(kp + c + 8), hi[p]);
            }
            lo[p] = _mm256_add_ps(lo[p], hi[p]);
        }
        float tmp[8];
        _mm256_storeu_ps(tmp, _mm256_mul_ps(attn_tree8x8(lo), _mm256_set1_ps(scale)));
        memcpy(scores + j0, tmp, sizeof(float) * (size_t)count);
    }
    return attn_max(scores, n);
}

ATTEND_LOOP(attend16_avx2, T256, attn_scores16_avx2, attn_exp_sum_c, attn_weighted8)

/* The plain C loops compiled for AVX2 + FMA: Java's scalar order still runs in hardware. */
ATTEND_LOOP(attend_c_avx2, T256, attn_scores_c, attn_exp_sum_c, attn_weighted_c)

#endif /* __x86_64__ */

#endif
