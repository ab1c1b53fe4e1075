/*
 * Canopy's native matrix kernels, called from Java through the FFM API (dev.canopy.executor.tensor.NativeKernels).
 *
 * out[outoff + b*rows + r] = sum_c W[r][c] * x[b][c]   for r in [row_start, row_end), b < batch
 *
 * Weights are read in place in their GGUF layout (row-major, rows of blocks):
 *   Q8_0: 34-byte blocks of 32 values: fp16 d, int8 q[32];            value = d * q
 *   Q4_0: 18-byte blocks of 32 values: fp16 d, uint8 qs[16];          value j = d * ((qs[j] & 15) - 8),
 *                                                                      value j+16 = d * ((qs[j] >> 4) - 8)
 *   F32 / F16 / BF16: plain values.
 *
 * Quantized weights multiply activations quantized by canopy_quantize_grouped to 8 bits per value
 * (scale dx = max|x| / 127 per block of 32, for the K-quants per 256 values; q = rint(x / dx)), with integer dot
 * products per block:
 *   sum_blocks (dw * dx) * sum_j wq[j] * xq[j]
 * (the K-quants at x86 levels 0-1, Q4_K/Q5_K also at level 2, and portable C on aarch64: integer sums per
 * super-block, one float step per 256 values, kernels_kquant_common.h).
 * Float weights multiply float activations with fused multiply-adds.
 *
 * Dispatch: the caller passes a level (canopy_detect_level() or lower, for tests):
 *   x86-64:  2 = AVX-512 F/BW/VL/DQ/VNNI, 1 = AVX2 + FMA + F16C, 0 = portable C.
 *   aarch64: 1 = NEON with dot product (kernels_neon.h), 0 = portable C.
 * The same file builds both libraries (native/linux-x86_64 and native/linux-aarch64).
 *
 * Reproducibility: each output element is computed by the same sequence of operations whatever
 * tile it falls in, whatever the batch size and row range: tiles only share loads, every
 * (row, activation row) pair has its own accumulator, reduced in a fixed order. The library is
 * compiled with -ffp-contract=off so the compiler cannot fuse some products and not others.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define QK 32
#define PAIR_BYTES 192 /* quantized activations: per pair of blocks, q[64] | dx[16] floats | negsum[16] int32 */
#define TYPE_F32 0
#define TYPE_F16 1
#define TYPE_Q4_0 2
#define TYPE_Q8_0 8
#define TYPE_BF16 30

#define INLINE static inline __attribute__((always_inline))
#define CANOPY_ACT_GROUPS 1 /* canopy_quantize_grouped and canopy_act_group exist (for test programs built on sources) */

#if defined(__x86_64__)
#include <immintrin.h>
/* Streaming weights from memory (the decode case) needs help: while a tile of rows is multiplied,
 * prefetch the same position one tile (4 rows) further on, which is where the next tile will read. */
#define PREFETCH_NEXT_TILE(p, wrb) _mm_prefetch((const char*)(p) + 4 * (wrb), _MM_HINT_T0)

#define T512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,f16c,fma")))
#define T256 __attribute__((target("avx2,fma,f16c")))
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#endif

/* ---------------------------------------------------------------- common */

#if defined(__aarch64__)
/* aarch64: 1 = NEON with the dot product extension, 0 = portable C. */
int32_t canopy_detect_level(void) {
    return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) ? 1 : 0;
}
#elif defined(__x86_64__)
int32_t canopy_detect_level(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("f16c")
        && __builtin_cpu_supports("fma")) {
        return 2;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
        return 1;
    }
    return 0;
}
#else
int32_t canopy_detect_level(void) {
    return 0;
}
#endif

static int32_t detected_level = -1;

static int32_t usable_level(int32_t level) {
    int32_t best = detected_level;
    if (best < 0) {
        best = detected_level = canopy_detect_level();
    }
    return level < best ? level : best;
}

static float fp16_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1F;
    uint32_t man = h & 0x3FF;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: normalize */
            int e = -1;
            do {
                e++;
                man <<= 1;
            } while ((man & 0x400) == 0);
            bits = sign | (uint32_t)(127 - 15 - e) << 23 | (man & 0x3FF) << 13;
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | man << 13;
    } else {
        bits = sign | (exp - 15 + 127) << 23 | man << 13;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static float bf16_to_float(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static uint16_t load_u16(const uint8_t* p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static int64_t row_bytes(int32_t type, int32_t cols) {
    switch (type) {
        case TYPE_F32: return 4LL * cols;
        case TYPE_F16:
        case TYPE_BF16: return 2LL * cols;
        case TYPE_Q8_0: return (int64_t)cols / QK * 34;
        case TYPE_Q4_0: return (int64_t)cols / QK * 18;
        default: return -1;
    }
}

static int64_t act_row_bytes(int32_t cols) {
    int32_t nb = cols / QK;
    return (int64_t)((nb + 1) / 2) * PAIR_BYTES;
}

/** Bytes canopy_quantize writes for `batch` rows of `cols` values. */
int64_t canopy_act_bytes(int32_t cols, int32_t batch) {
    return act_row_bytes(cols) * batch;
}

/* Visits the row range in tiles of at most RT rows x BT activation rows; ROW_PREP runs once per tile of
 * rows, TILE(nr, nb) must expand to a call of the kernel specialized for exactly nr x nb. */
#define FOR_TILES(RT, BT, TILE) FOR_TILES_PREP(RT, BT, (void)0, TILE)
#define FOR_TILES_PREP(RT, BT, ROW_PREP, TILE)                                     \
    for (int32_t r0 = row_start; r0 < row_end; r0 += RT) {                         \
        int nr = row_end - r0 < RT ? row_end - r0 : RT;                            \
        ROW_PREP;                                                                  \
        for (int32_t b0 = 0; b0 < batch; b0 += BT) {                               \
            int nbt = batch - b0 < BT ? batch - b0 : BT;                           \
            switch (nr * 8 + nbt) {                                                \
                case 8 + 1: TILE(1, 1); break;                                     \
                case 8 + 2: TILE(1, 2); break;                                     \
                case 8 + 3: TILE(1, 3); break;                                     \
                case 8 + 4: TILE(1, 4); break;                                     \
                case 16 + 1: TILE(2, 1); break;                                    \
                case 16 + 2: TILE(2, 2); break;                                    \
                case 16 + 3: TILE(2, 3); break;                                    \
                case 16 + 4: TILE(2, 4); break;                                    \
                case 24 + 1: TILE(3, 1); break;                                    \
                case 24 + 2: TILE(3, 2); break;                                    \
                case 24 + 3: TILE(3, 3); break;                                    \
                case 24 + 4: TILE(3, 4); break;                                    \
                case 32 + 1: TILE(4, 1); break;                                    \
                case 32 + 2: TILE(4, 2); break;                                    \
                case 32 + 3: TILE(4, 3); break;                                    \
                case 32 + 4: TILE(4, 4); break;                                    \
            }                                                                      \
        }                                                                          \
    }

#include "kernels_portable.h"
#include "kernels_affine_common.h"  /* Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, MXFP4: shared parts, portable C */
#include "kernels_kquant_common.h"  /* Q4_K, Q5_K, Q6_K in integers per super-block, portable C */
#if defined(__x86_64__)
#include "kernels_rows8_avx2.h"
#include "kernels_avx2.h"
#include "kernels_avx512.h"
#include "kernels_affine_avx2.h"    /* the affine types at AVX2 (MXFP4 at AVX-512 too) */
#include "kernels_kquant_avx2.h"    /* the K-quants at AVX2 (Q4_K/Q5_K at AVX-512 too), in integers per super-block */
#include "kernels_kquant_packed_avx2.h" /* Q4_K, Q5_K, Q6_K packed 8 rows at a time (canopy_pack) */
#include "kernels_affine_avx512.h"  /* Q4_1, Q5_0, Q5_1 and Q6_K at AVX-512 */
#elif defined(__aarch64__)
#include "kernels_neon.h"
#endif
#include "kernels_attention.h"      /* causal attention over an F32 paged KV cache (canopy_attend), every level */

/* ---------------------------------------------------------------- activations */

/**
 * Quantizes rows x[xoff + b*cols ..] (cols a multiple of 32) to 8 bits per value, with one scale per `group`
 * blocks of 32 (1: per block; 8: per 256 values, what the K-quants' kernels need: canopy_act_group(type)); the
 * last group of a row may be shorter. Layout per row, per pair of blocks (2p, 2p+1), PAIR_BYTES bytes:
 *   int8 q[64]          the two blocks' quantized values, q = rint(x / dx) (|q| <= 127)
 *   float dx[16]        dx of block 2p in lanes 0-7, of block 2p+1 in lanes 8-15: max|x| over the block's
 *                       group / 127
 *   int32 negsum[16]    -sum(q) of block 2p in lane 0, of block 2p+1 in lane 8, zeros elsewhere
 * A missing last block (odd block count) is all zeros. The result is the same at every level.
 */
void canopy_quantize_grouped(int32_t level, const float* x, int64_t xoff, int32_t cols, int32_t batch, int32_t group,
                             uint8_t* buf) {
    int32_t nb = cols / QK;
    int64_t arb = act_row_bytes(cols);
    int32_t lvl = usable_level(level);
    if (group < 1) group = 1;
    for (int32_t b = 0; b < batch; b++) {
        const float* xr = x + xoff + (int64_t)b * cols;
        uint8_t* row = buf + b * arb;
        memset(row, 0, (size_t)arb);
        float amax = 0.0f; /* of the current group when group > 1 (max is exact: the same at every level) */
        for (int32_t j = 0; j < nb; j++) {
            if (group > 1 && j % group == 0) {
                int32_t n = (j + group < nb ? j + group : nb) - j;
#if defined(__x86_64__)
                amax = lvl >= 1 ? amax_avx2(xr + j * QK, n) : amax_generic(xr + j * QK, n);
#else
                amax = amax_generic(xr + j * QK, n);
#endif
            }
            uint8_t* pair = row + (int64_t)(j / 2) * PAIR_BYTES;
            int half = j % 2;
            int8_t* q = (int8_t*)(pair + half * QK);
            float d;
#if defined(__x86_64__)
            int32_t negsum = lvl == 2   ? quantize_block_avx512(xr + j * QK, amax, q, &d)
                             : lvl == 1 ? quantize_block_avx2(xr + j * QK, amax, q, &d)
                                        : quantize_block_generic(xr + j * QK, amax, q, &d);
#else
            (void)lvl;
            int32_t negsum = quantize_block_generic(xr + j * QK, amax, q, &d);
#endif
            float* dx = (float*)(pair + 64) + half * 8;
            for (int i = 0; i < 8; i++) dx[i] = d;
            ((int32_t*)(pair + 128))[half * 8] = negsum;
        }
    }
}

/** canopy_quantize_grouped with one scale per block of 32. */
void canopy_quantize(int32_t level, const float* x, int64_t xoff, int32_t cols, int32_t batch, uint8_t* buf) {
    canopy_quantize_grouped(level, x, xoff, cols, batch, 1, buf);
}

/** Blocks of 32 per activation scale that canopy_matmul_quant expects for a weight type: 8 for the K-quants (Q4_K,
 * Q5_K, Q6_K: integer super-block kernels, kernels_kquant_common.h), 1 for every other type. */
int32_t canopy_act_group(int32_t type) {
    return is_kquant(type) ? 8 : 1;
}

/* ---------------------------------------------------------------- entry points */

/* The K-quants at the levels that multiply them in integers per super-block (kernels_kquant_common.h): x86 levels
 * 0-1, and at level 2 Q4_K/Q5_K (the AVX2 kernels with VNNI's fused multiply-add, faster there than the per-block
 * float AVX-512 kernels, which Q6_K keeps: see docs/kernels.md). */
static int kquant_integer_level(int32_t lvl, int32_t type) {
#if defined(__x86_64__)
    return lvl <= 1 || type != TYPE_Q6_K;
#else
    (void)type;
    return lvl == 0;
#endif
}

/* Q4_1/Q5_0/Q5_1/Q4_K/Q5_K/Q6_K/MXFP4 weights times canopy_quantize activations, at the usable level. */
static int32_t affine_matmul(int32_t level, int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act,
                             int32_t batch, float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    int32_t nb = cols / QK;
    int32_t lvl = usable_level(level);
    int32_t rc = 0;
    if (is_kquant(type) && !kq_act_grouped(act, act_row_bytes(cols), nb, batch)) return -3;
    if (is_kquant(type) && kquant_integer_level(lvl, type)) {
        kq_act* ka = kq_act_sums(type, act, act_row_bytes(cols), nb, batch);
        if (ka == NULL) return -2;
#if defined(__x86_64__)
        if (lvl >= 1) kquant_avx2(type, w, cols, act, ka, batch, out, rows, row_start, row_end, lvl == 2 ? KQ_VNNI_EVEX : KQ_PLAIN);
        else
#endif
            kquant_generic(type, w, cols, act, ka, batch, out, rows, row_start, row_end);
        free(ka);
        return 0;
    }
    float* sums = block_sums(type, act, act_row_bytes(cols), nb, batch);
    if (sums == NULL) return -2;
#if defined(__x86_64__)
    if (lvl == 2 && type != TYPE_MXFP4) {
        affine_avx512(type, w, cols, act, batch, sums, out, rows, row_start, row_end);
    } else if (lvl >= 1) {
        affine_avx2(type, w, cols, act, batch, sums, out, rows, row_start, row_end);
    } else
#elif defined(__aarch64__)
    if (lvl >= 1) {
        rc = affine_neon(type, w, cols, act, batch, sums, out, rows, row_start, row_end);
    } else
#endif
    {
        affine_generic(type, w, cols, act, batch, sums, out, rows, row_start, row_end);
    }
    free(sums);
    return rc;
}

/**
 * Quantized weights (type 8 = Q8_0, 2 = Q4_0; 3, 6, 7, 12, 13, 14, 39, see kernels_affine_common.h) times
 * activations from canopy_quantize, rows [row_start, row_end), at every level.
 * K-quant activations must come from canopy_quantize_grouped with canopy_act_group(type) blocks per scale.
 * Returns 0, -1 for an unsupported type, -2 when out of memory, -3 when K-quant activations have more than one
 * scale per super-block.
 */
int32_t canopy_matmul_quant(int32_t level, int32_t type, const uint8_t* w, int32_t rows, int32_t cols,
                            const uint8_t* act, int32_t batch, float* out, int64_t outoff, int32_t row_start,
                            int32_t row_end) {
    if (is_affine_type(type)) return affine_matmul(level, type, w, cols, act, batch, out + outoff, rows, row_start, row_end);
    if (type != TYPE_Q8_0 && type != TYPE_Q4_0) return -1;
    float* o = out + outoff;
    switch (usable_level(level)) {
#if defined(__x86_64__)
        case 2: quant_avx512(type, w, cols, act, batch, o, rows, row_start, row_end); break;
        case 1: quant_avx2(type, w, cols, act, batch, o, rows, row_start, row_end); break;
#elif defined(__aarch64__)
        case 1: return quant_neon(type, w, cols, act, batch, o, rows, row_start, row_end);
#endif
        default: quant_generic(type, w, cols, act, batch, o, rows, row_start, row_end); break;
    }
    return 0;
}

/**
 * Float weights (type 0 = F32, 1 = F16, 30 = BF16) times float activations x[xoff + b*cols + c],
 * rows [row_start, row_end). Returns 0, or -1 for an unsupported type.
 */
int32_t canopy_matmul_float(int32_t level, int32_t type, const uint8_t* w, int32_t rows, int32_t cols, const float* x,
                            int64_t xoff, int32_t batch, float* out, int64_t outoff, int32_t row_start,
                            int32_t row_end) {
    if (type != TYPE_F32 && type != TYPE_F16 && type != TYPE_BF16) return -1;
    float* o = out + outoff;
    const float* xs = x + xoff;
    switch (usable_level(level)) {
#if defined(__x86_64__)
        case 2: float_avx512(type, w, cols, xs, batch, o, rows, row_start, row_end); break;
        case 1: float_avx2(type, w, cols, xs, batch, o, rows, row_start, row_end); break;
#elif defined(__aarch64__)
        case 1: float_neon(type, w, cols, xs, batch, o, rows, row_start, row_end); break;
#endif
        default: float_generic(type, w, cols, xs, batch, o, rows, row_start, row_end); break;
    }
    return 0;
}

/* ---------------------------------------------------------------- packed weights */

/* Whether `level` multiplies `type` from the packed layout (kernels_kquant_packed_avx2.h): Q4_K and Q5_K at x86
 * levels 1-2, Q6_K at level 1 (level 2's Q6_K kernels compute in float per block, which the packed kernels do not:
 * packing there would change its outputs). */
#if defined(__x86_64__)
static int packs(int32_t lvl, int32_t type) {
    return ((type == TYPE_Q4_K || type == TYPE_Q5_K) && lvl >= 1) || (type == TYPE_Q6_K && lvl == 1);
}
#endif

/**
 * Bytes of a rows x cols matrix of `type` packed for `level` (canopy_pack), or 0 when that level multiplies the
 * type in its GGUF layout (canopy_matmul_quant): a caller packs the matrices for which this is positive.
 */
int64_t canopy_packed_bytes(int32_t level, int32_t type, int32_t rows, int32_t cols) {
#if defined(__x86_64__)
    if (!packs(usable_level(level), type) || rows < 1 || cols < 256 || cols % 256 != 0) return 0;
    return (int64_t)((rows + 7) / 8) * (cols / 256) * packed_superblock_bytes(type);
#else
    (void)level;
    (void)type;
    (void)rows;
    (void)cols;
    return 0;
#endif
}

/**
 * Packs rows [row_start, row_end) of a Q4_K, Q5_K or Q6_K matrix w (GGUF layout) into `out` (canopy_packed_bytes long),
 * by whole tiles of 8 rows: row_start a multiple of 8, the last tile's rows past `rows` zeros. Disjoint row ranges
 * may be packed concurrently. Returns 0, -1 when `level` does not pack `type`, -4 when row_start is not a multiple
 * of 8.
 */
int32_t canopy_pack(int32_t level, int32_t type, const uint8_t* w, int32_t rows, int32_t cols, uint8_t* out,
                    int32_t row_start, int32_t row_end) {
    if (canopy_packed_bytes(level, type, rows, cols) == 0) return -1;
    if (row_start % 8 != 0) return -4;
#if defined(__x86_64__)
    for (int32_t t = row_start / 8; 8 * t < row_end && 8 * t < rows; t++) pack_tile8(type, w, rows, cols, t, out);
#else
    (void)w;
    (void)out;
    (void)row_end;
#endif
    return 0;
}

/**
 * canopy_matmul_quant's product, rows [row_start, row_end) (row_start a multiple of 8), from weights packed by
 * canopy_pack for the same level: the same outputs, bit for bit. Returns 0, -1 when `level` does not pack `type`,
 * -2 when out of memory, -3 when the activations have more than one scale per super-block, -4 when row_start is
 * not a multiple of 8.
 */
int32_t canopy_matmul_packed(int32_t level, int32_t type, const uint8_t* packed, int32_t rows, int32_t cols,
                             const uint8_t* act, int32_t batch, float* out, int64_t outoff, int32_t row_start,
                             int32_t row_end) {
    if (canopy_packed_bytes(level, type, rows, cols) == 0) return -1;
    if (row_start % 8 != 0) return -4;
#if defined(__x86_64__)
    int32_t nb = cols / QK;
    if (!kq_act_grouped(act, act_row_bytes(cols), nb, batch)) return -3;
    kq_act* ka = kq_act_sums(type, act, act_row_bytes(cols), nb, batch);
    if (ka == NULL) return -2;
    float* o = out + outoff;
    int32_t rc = type == TYPE_Q6_K ? packed_q6_k_avx2(packed, cols, act, ka, batch, o, rows, row_start, row_end)
                 : type == TYPE_Q5_K ? packed_q5_k_avx2(packed, cols, act, ka, batch, o, rows, row_start, row_end)
                                     : packed_q4_k_avx2(packed, cols, act, ka, batch, o, rows, row_start, row_end);
    free(ka);
    return rc;
#else
    (void)packed;
    (void)act;
    (void)batch;
    (void)out;
    (void)outoff;
    (void)row_end;
    return -1;
#endif
}

/* ---------------------------------------------------------------- attention */

/**
 * Causal attention of query heads [head_from, head_to) for a group of g query rows over an F32 paged KV cache:
 * dev.canopy.executor.model.Attention.attendGroup, bit for bit, at its lane width `lanes` (16, 8 or 1, which
 * fixes the order of the float operations: kernels_attention.h); `level` only picks how fast.
 *   q: query i's head h at q[q_base[i] + h * head_dim]; out: the same layout.
 *   last_pos[i]: the last position query i attends (inclusive); it sees positions j > last_pos[i] - window.
 *   tables[table_start[i] + b]: the cache block of query i's block b (b <= last_pos[i] / block_size).
 *   keys, values: (blocks * block_size, kv_dim); head h reads KV head h / group_size.
 *   sinks: per query head an extra logit with no value in the softmax's denominator, or NULL.
 * Returns 0, -1 for a lane width other than 1, 8, 16 or one that does not divide head_dim, -2 when out of memory.
 */
int32_t canopy_attend(int32_t level, int32_t lanes, int32_t head_dim, float scale, const float* q,
                      const int32_t* q_base, const int32_t* last_pos, int32_t g, const int32_t* tables,
                      const int32_t* table_start, const float* keys, const float* values, int32_t kv_dim,
                      int32_t block_size, int32_t head_from, int32_t head_to, int32_t group_size, int32_t window,
                      const float* sinks, float* out) {
    if ((lanes != 1 && lanes != 8 && lanes != 16) || head_dim % lanes != 0) return -1;
    attend_args a = {lanes, head_dim, scale, q, q_base, last_pos, tables, table_start, g, keys, values,
                     kv_dim, block_size, head_from, head_to, group_size, window, sinks, out};
#if defined(__x86_64__)
    int32_t lvl = usable_level(level);
    if (lanes == 16 && lvl >= 2) return attend16_avx512(&a);
    if (lanes == 8 && lvl >= 1) return attend8_avx2(&a);
    if (lanes == 16 && lvl >= 1) return attend16_avx2(&a);
    if (lvl >= 1) return attend_c_avx2(&a);
#else
    (void)level;
#endif
    return lanes == 8 ? attend_c8(&a) : attend_c(&a);
}
