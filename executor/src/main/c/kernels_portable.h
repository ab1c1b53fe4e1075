/* Portable C kernels (level 0): plain loops, no intrinsics.
 * Part of canopy_kernels.c (one translation unit): include only from there. */
#ifndef CANOPY_KERNELS_PORTABLE_H
#define CANOPY_KERNELS_PORTABLE_H


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

/* max |v[i]| over n blocks of 32 values (exact: every version gives the same). */
static float amax_generic(const float* v, int32_t n) {
    float amax = 0.0f;
    for (int64_t i = 0; i < (int64_t)n * QK; i++) {
        float a = v[i] < 0 ? -v[i] : v[i];
        amax = a > amax ? a : amax;
    }
    return amax;
}

/* Quantizes one block of 32 values: writes q[32] and returns -sum(q); *d_out = max(max|x|, amax_floor) / 127
 * (amax_floor: 0, or the max|x| of the block's group when several blocks share a scale). Every version below
 * computes exactly these values (IEEE division and reciprocal, round to nearest even). */
static int32_t quantize_block_generic(const float* v, float amax_floor, int8_t* q, float* d_out) {
    float amax = amax_floor;
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

#endif
