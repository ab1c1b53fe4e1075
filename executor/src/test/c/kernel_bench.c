/*
 * Times the C kernels alone, by the calling thread's CPU time (best of N calls), which stays meaningful
 * on a machine shared with other work where wall-clock times do not. Not built by Maven; run by hand:
 *
 *   gcc -O3 -ffp-contract=off -fno-strict-aliasing -o /tmp/kernel_bench executor/src/test/c/kernel_bench.c -lm
 *   /tmp/kernel_bench TYPE ROWS COLS BATCH CALLS [LEVEL]
 *
 * -DKERNELS='"path/canopy_kernels.c"' builds it against another version of the sources (e.g. `git archive` of main).
 *
 * TYPE is the GGML type id (8 = Q8_0, 2 = Q4_0, 12 = Q4_K, 14 = Q6_K, other affine types of
 * kernels_affine_common.h, 1 = F16, 30 = BF16, 0 = F32), LEVEL 2 = AVX-512, 1 = AVX2, 0 = portable C.
 * One thread; weights are random (valid scales, finite values).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef KERNELS /* another version of the sources, to compare against */
#include KERNELS
#else
#include "../../main/c/canopy_kernels.c"
#endif

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint16_t small_half(void) { /* an fp16 in [2^-7, 2^-6): a typical weight scale */
    return (uint16_t)(0x2000 | (rand() & 0x3FF));
}

int main(int argc, char** argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: kernel_bench TYPE ROWS COLS BATCH CALLS [LEVEL]\n");
        return 2;
    }
    int type = atoi(argv[1]), rows = atoi(argv[2]), cols = atoi(argv[3]), batch = atoi(argv[4]);
    int calls = atoi(argv[5]), level = argc > 6 ? atoi(argv[6]) : 2;
    int affine = is_affine_type(type);
    int64_t rb = affine ? affine_row_bytes(type, cols) : row_bytes(type, cols);
    if (rb < 0) {
        fprintf(stderr, "kernel_bench: unsupported type %d\n", type);
        return 2;
    }
    size_t size = (size_t)rb * rows;
    uint8_t* w = malloc(size);
    int quantized = type == TYPE_Q8_0 || type == TYPE_Q4_0 || affine;
    size_t step = type == TYPE_Q8_0 ? 34 : type == TYPE_Q4_0 ? 18 : type == TYPE_F32 ? 4 : 2;
    if (affine) step = is_kquant(type) ? (size_t)affine_row_bytes(type, 256) : (size_t)legacy_block_bytes(type);
    size_t half_at = type == TYPE_Q6_K ? 208 : 0; /* where the block's (first) fp16 scale is */
    for (size_t i = 0; i < size; i++) w[i] = (uint8_t)rand();
    for (size_t i = 0; i < size; i += step) {
        if (type == TYPE_MXFP4) w[i] = (uint8_t)(120 + rand() % 8);
        else if (quantized || type == TYPE_F16) memcpy(w + i + half_at, &(uint16_t){small_half()}, 2);
        if (type == TYPE_Q4_K || type == TYPE_Q5_K || type == TYPE_Q4_1 || type == TYPE_Q5_1)
            memcpy(w + i + 2, &(uint16_t){small_half()}, 2);
        if (type == TYPE_BF16) memcpy(w + i, &(uint16_t){(uint16_t)(0x3C00 | (rand() & 0xFF))}, 2);
        if (type == TYPE_F32) memcpy(w + i, &(float){rand() / (float)RAND_MAX - 0.5f}, 4);
    }
    float* x = malloc(sizeof(float) * cols * batch);
    for (int i = 0; i < cols * batch; i++) x[i] = rand() / (float)RAND_MAX - 0.5f;
    uint8_t* act = malloc((size_t)canopy_act_bytes(cols, batch));
    float* out = malloc(sizeof(float) * rows * batch);
    double best = 1e9;
    for (int c = 0; c < calls; c++) {
        double t0 = cpu_seconds();
        if (quantized) {
#ifdef CANOPY_ACT_GROUPS
            canopy_quantize_grouped(level, x, 0, cols, batch, canopy_act_group(type), act);
#else /* sources before the grouped activations, to compare against */
            canopy_quantize(level, x, 0, cols, batch, act);
#endif
            canopy_matmul_quant(level, type, w, rows, cols, act, batch, out, 0, 0, rows);
        } else {
            canopy_matmul_float(level, type, w, rows, cols, x, 0, batch, out, 0, 0, rows);
        }
        double t = cpu_seconds() - t0;
        best = t < best ? t : best;
    }
    printf("type %d level %d %dx%d batch %d: best %.1f us, %.1f GB/s of weights, %.1f GFLOP/s\n", type, level, rows,
           cols, batch, best * 1e6, size / best / 1e9, 2.0 * rows * cols * batch / best / 1e9);
    return 0;
}
