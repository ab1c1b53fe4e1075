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
 * Quantized weights multiply activations quantized by canopy_quantize to 8 bits per block of 32
 * (scale dx = max|x| / 127, q = rint(x / dx)), with integer dot products per block:
 *   sum_blocks (dw * dx) * sum_j wq[j] * xq[j]
 * Float weights multiply float activations with fused multiply-adds.
 *
 * Dispatch: the caller passes a level (canopy_detect_level() or lower, for tests):
 *   2 = AVX-512 F/BW/VL/DQ/VNNI, 1 = AVX2 + FMA + F16C, 0 = portable C.
 *
 * Reproducibility: each output element is computed by the same sequence of operations whatever
 * tile it falls in, whatever the batch size and row range: tiles only share loads, every
 * (row, activation row) pair has its own accumulator, reduced in a fixed order. The library is
 * compiled with -ffp-contract=off so the compiler cannot fuse some products and not others.
 */
#include <immintrin.h>
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

/* Streaming weights from memory (the decode case) needs help: while a tile of rows is multiplied,
 * prefetch the same position one tile (4 rows) further on, which is where the next tile will read. */
#define PREFETCH_NEXT_TILE(p, wrb) _mm_prefetch((const char*)(p) + 4 * (wrb), _MM_HINT_T0)

#define T512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,f16c,fma")))
#define T256 __attribute__((target("avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))

/* ---------------------------------------------------------------- common */

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

/**
 * Quantizes rows x[xoff + b*cols ..] (cols a multiple of 32) to 8 bits per block of 32.
 * Layout per row, per pair of blocks (2p, 2p+1), PAIR_BYTES bytes:
 *   int8 q[64]          the two blocks' quantized values
 *   float dx[16]        dx of block 2p in lanes 0-7, of block 2p+1 in lanes 8-15
 *   int32 negsum[16]    -sum(q) of block 2p in lane 0, of block 2p+1 in lane 8, zeros elsewhere
 * A missing last block (odd block count) is all zeros.
 */
/* Quantizes one block of 32 values: writes q[32] and returns -sum(q); *d_out = max|x| / 127. Every
 * version below computes exactly these values (IEEE division and reciprocal, round to nearest even). */
static int32_t quantize_block_generic(const float* v, int8_t* q, float* d_out) {
    float amax = 0.0f;
    for (int i = 0; i < QK; i++) {
        float a = v[i] < 0 ? -v[i] : v[i];
        amax = a > amax ? a : amax;
    }
    float d = amax / 127.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    int32_t sum = 0;
    for (int i = 0; i < QK; i++) {
        float s = __builtin_rintf(v[i] * id);
        s = s > 127.0f ? 127.0f : (s < -127.0f ? -127.0f : s);
        q[i] = (int8_t)s;
        sum += q[i];
    }
    *d_out = d;
    return -sum;
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

T512 static int32_t quantize_block_avx512(const float* v, int8_t* q, float* d_out) {
    __m512 v0 = _mm512_loadu_ps(v);
    __m512 v1 = _mm512_loadu_ps(v + 16);
    float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
    float d = amax / 127.0f;
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

/**
 * Quantizes rows x[xoff + b*cols ..] (cols a multiple of 32) to 8 bits per block of 32.
 * Layout per row, per pair of blocks (2p, 2p+1), PAIR_BYTES bytes:
 *   int8 q[64]          the two blocks' quantized values
 *   float dx[16]        dx of block 2p in lanes 0-7, of block 2p+1 in lanes 8-15
 *   int32 negsum[16]    -sum(q) of block 2p in lane 0, of block 2p+1 in lane 8, zeros elsewhere
 * A missing last block (odd block count) is all zeros. The result is the same at every level.
 */
void canopy_quantize(int32_t level, const float* x, int64_t xoff, int32_t cols, int32_t batch, uint8_t* buf) {
    int32_t nb = cols / QK;
    int64_t arb = act_row_bytes(cols);
    int32_t lvl = usable_level(level);
    for (int32_t b = 0; b < batch; b++) {
        const float* xr = x + xoff + (int64_t)b * cols;
        uint8_t* row = buf + b * arb;
        memset(row, 0, (size_t)arb);
        for (int32_t j = 0; j < nb; j++) {
            uint8_t* pair = row + (int64_t)(j / 2) * PAIR_BYTES;
            int half = j % 2;
            int8_t* q = (int8_t*)(pair + half * QK);
            float d;
            int32_t negsum = lvl == 2   ? quantize_block_avx512(xr + j * QK, q, &d)
                             : lvl == 1 ? quantize_block_avx2(xr + j * QK, q, &d)
                                        : quantize_block_generic(xr + j * QK, q, &d);
            float* dx = (float*)(pair + 64) + half * 8;
            for (int i = 0; i < 8; i++) dx[i] = d;
            ((int32_t*)(pair + 128))[half * 8] = negsum;
        }
    }
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

/* ---------------------------------------------------------------- portable C */

static void quant_generic(int32_t type, const uint8_t* w, int32_t cols, const uint8_t* act, int32_t batch,
                          float* out, int64_t rows, int32_t row_start, int32_t row_end) {
    int32_t nb = cols / QK;
    int64_t wrb = row_bytes(type, cols);
    int64_t arb = act_row_bytes(cols);
    for (int32_t r = row_start; r < row_end; r++) {
        const uint8_t* wr = w + r * wrb;
        for (int32_t b = 0; b < batch; b++) {
            const uint8_t* ar = act + b * arb;
            float acc = 0.0f;
            for (int32_t j = 0; j < nb; j++) {
                const uint8_t* pair = ar + (int64_t)(j / 2) * PAIR_BYTES;
                const int8_t* xq = (const int8_t*)(pair + (j % 2) * QK);
                float dx = ((const float*)(pair + 64))[(j % 2) * 8];
                int32_t isum = 0;
                float dw;
                if (type == TYPE_Q8_0) {
                    const uint8_t* blk = wr + (int64_t)j * 34;
                    dw = fp16_to_float(load_u16(blk));
                    for (int i = 0; i < QK; i++) {
                        isum += (int32_t)(int8_t)blk[2 + i] * xq[i];
                    }
                } else {
                    const uint8_t* blk = wr + (int64_t)j * 18;
                    dw = fp16_to_float(load_u16(blk));
                    for (int i = 0; i < 16; i++) {
                        isum += ((blk[2 + i] & 15) - 8) * xq[i] + ((blk[2 + i] >> 4) - 8) * xq[i + 16];
                    }
                }
                float scale = dw * dx;
                acc = acc + (float)isum * scale;
            }
            out[b * rows + r] = acc;
        }
    }
}

static float load_weight_generic(int32_t type, const uint8_t* wr, int32_t c) {
    switch (type) {
        case TYPE_F32: {
            float f;
            memcpy(&f, wr + 4LL * c, 4);
            return f;
        }
        case TYPE_F16: return fp16_to_float(load_u16(wr + 2LL * c));
        default: return bf16_to_float(load_u16(wr + 2LL * c));
    }
}

static void float_generic(int32_t type, const uint8_t* w, int32_t cols, const float* x, int32_t batch, float* out,
                          int64_t rows, int32_t row_start, int32_t row_end) {
    int64_t wrb = row_bytes(type, cols);
    for (int32_t r = row_start; r < row_end; r++) {
        const uint8_t* wr = w + r * wrb;
        for (int32_t b = 0; b < batch; b++) {
            const float* xr = x + (int64_t)b * cols;
            float acc = 0.0f;
            for (int32_t c = 0; c < cols; c++) {
                acc = __builtin_fmaf(load_weight_generic(type, wr, c), xr[c], acc);
            }
            out[b * rows + r] = acc;
        }
    }
}

/* ---------------------------------------------------------------- AVX2 */

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
    FOR_TILES(4, 2, QTILE256)
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

/* ---------------------------------------------------------------- AVX-512 */

/* Weights of blocks 2p and 2p+1 (only 2p when !full) as unsigned bytes: Q8_0 offset by +128, Q4_0 nibbles. */
T512 INLINE __m512i load_pair512(int32_t type, const uint8_t* blk, int full, __m512* dw) {
    if (type == TYPE_Q8_0) {
        __m256i lo = _mm256_loadu_si256((const __m256i*)(blk + 2));
        __m512i v = full ? _mm512_inserti64x4(_mm512_castsi256_si512(lo), _mm256_loadu_si256((const __m256i*)(blk + 36)), 1)
                         : _mm512_zextsi256_si512(lo);
        float d1 = full ? _cvtsh_ss(load_u16(blk + 34)) : 0.0f;
        *dw = _mm512_insertf32x8(_mm512_set1_ps(_cvtsh_ss(load_u16(blk))), _mm256_set1_ps(d1), 1);
        return _mm512_xor_si512(v, _mm512_set1_epi8((char)0x80));
    }
    __m128i a = _mm_loadu_si128((const __m128i*)(blk + 2));
    __m128i b = full ? _mm_loadu_si128((const __m128i*)(blk + 20)) : _mm_setzero_si128();
    __m256i ab = _mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1); /* [qs0 | qs1] */
    __m256i m = _mm256_set1_epi8(15);
    __m256i lo = _mm256_and_si256(ab, m);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(ab, 4), m);
    __m512i v = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1); /* [lo0 lo1 hi0 hi1] */
    float d1 = full ? _cvtsh_ss(load_u16(blk + 18)) : 0.0f;
    *dw = _mm512_insertf32x8(_mm512_set1_ps(_cvtsh_ss(load_u16(blk))), _mm256_set1_ps(d1), 1);
    return _mm512_shuffle_i64x2(v, v, _MM_SHUFFLE(3, 1, 2, 0)); /* [lo0 hi0 lo1 hi1] */
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

/* ---------------------------------------------------------------- entry points */

/**
 * Quantized weights (type 8 = Q8_0 or 2 = Q4_0) times activations from canopy_quantize, rows
 * [row_start, row_end). Returns 0, or -1 for an unsupported type.
 */
int32_t canopy_matmul_quant(int32_t level, int32_t type, const uint8_t* w, int32_t rows, int32_t cols,
                            const uint8_t* act, int32_t batch, float* out, int64_t outoff, int32_t row_start,
                            int32_t row_end) {
    if (type != TYPE_Q8_0 && type != TYPE_Q4_0) return -1;
    float* o = out + outoff;
    switch (usable_level(level)) {
        case 2: quant_avx512(type, w, cols, act, batch, o, rows, row_start, row_end); break;
        case 1: quant_avx2(type, w, cols, act, batch, o, rows, row_start, row_end); break;
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
        case 2: float_avx512(type, w, cols, xs, batch, o, rows, row_start, row_end); break;
        case 1: float_avx2(type, w, cols, xs, batch, o, rows, row_start, row_end); break;
        default: float_generic(type, w, cols, xs, batch, o, rows, row_start, row_end); break;
    }
    return 0;
}
