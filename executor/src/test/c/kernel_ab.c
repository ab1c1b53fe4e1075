/*
 * Times two builds of the C kernels against each other in ONE process, for quantized weight types: both libraries
 * are loaded with dlopen and run on the same weights and activations, alternating blocks of calls (A then B, then B
 * then A, ...). On a shared VM whose speed swings by up to 1.6x between processes a minute apart (docs/kernels.md),
 * per-process timings (kernel_bench.c) of two builds are hard to compare; here both see the same swings, and the
 * median over blocks of the per-block ratio of best thread-CPU times is the figure to read. Not built by Maven:
 *
 *   gcc -O3 -std=c11 -fPIC -shared -ffp-contract=off -fno-strict-aliasing -o /tmp/liba.so A/canopy_kernels.c -lm
 *   (the same for B; a `git archive` of another revision gives A)
 *   gcc -O2 -o /tmp/kernel_ab executor/src/test/c/kernel_ab.c -ldl -lm
 *   /tmp/kernel_ab /tmp/liba.so /tmp/libb.so TYPE ROWS COLS BATCH LEVEL BLOCKS CALLS_PER_BLOCK
 *
 * A library that packs the type at that level (canopy_packed_bytes > 0: Q4_K, Q5_K, Q6_K on x86) is timed on weights it
 * packed once beforehand (canopy_pack, canopy_matmul_packed), as the Java side runs it; one without those symbols
 * (older revisions) multiplies the GGUF layout.
 * Prints both bests, best(A) / best(B), the per-block ratio's median and quartiles (> 1: B is faster), and whether
 * the two outputs are bit-identical. This file's own copy of the sources (the working tree's) only supplies type
 * sizes; the kernels timed are the two libraries'.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

#include "../../main/c/canopy_kernels.c"

typedef void (*quantize_fn)(int32_t, const float*, int64_t, int32_t, int32_t, int32_t, uint8_t*);
typedef int32_t (*matmul_fn)(int32_t, int32_t, const uint8_t*, int32_t, int32_t, const uint8_t*, int32_t, float*, int64_t,
                             int32_t, int32_t);
typedef int32_t (*group_fn)(int32_t);
typedef int64_t (*packed_bytes_fn)(int32_t, int32_t, int32_t, int32_t);
typedef int32_t (*pack_fn)(int32_t, int32_t, const uint8_t*, int32_t, int32_t, uint8_t*, int32_t, int32_t);

static double thread_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int by_value(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

/* Random weights of `type` with valid fp16 scales in [2^-7, 2^-6) where its blocks keep them. */
static uint8_t* random_weights(int type, int rows, int cols, size_t* size) {
    int affine = is_affine_type(type);
    int64_t rb = affine ? affine_row_bytes(type, cols) : row_bytes(type, cols);
    if (rb <= 0) return NULL;
    *size = (size_t)rb * (size_t)rows;
    uint8_t* w = malloc(*size);
    if (w == NULL) return NULL;
    for (size_t i = 0; i < *size; i++) w[i] = (uint8_t)rand();
    size_t step = type == TYPE_Q8_0 ? 34 : type == TYPE_Q4_0 ? 18
                : is_kquant(type) ? (size_t)affine_row_bytes(type, 256) : (size_t)legacy_block_bytes(type);
    for (size_t i = 0; i < *size; i += step) {
        if (type == TYPE_MXFP4) {
            w[i] = (uint8_t)(120 + rand() % 8);
            continue;
        }
        memcpy(w + i + (type == TYPE_Q6_K ? 208 : 0), &(uint16_t){(uint16_t)(0x2000 | (rand() & 0x3FF))}, 2);
        if (type == TYPE_Q4_K || type == TYPE_Q5_K || type == TYPE_Q4_1 || type == TYPE_Q5_1)
            memcpy(w + i + 2, &(uint16_t){(uint16_t)(0x2000 | (rand() & 0x3FF))}, 2);
    }
    return w;
}

int main(int argc, char** argv) {
    if (argc < 10) {
        fprintf(stderr, "usage: kernel_ab LIB_A LIB_B TYPE ROWS COLS BATCH LEVEL BLOCKS CALLS_PER_BLOCK\n");
        return 2;
    }
    quantize_fn quantize[2];
    matmul_fn matmul[2];
    group_fn group[2];
    packed_bytes_fn packed_bytes[2];
    pack_fn pack[2];
    matmul_fn matmul_packed[2];
    for (int k = 0; k < 2; k++) {
        void* lib = dlopen(argv[1 + k], RTLD_NOW | RTLD_LOCAL);
        if (lib == NULL) {
            fprintf(stderr, "kernel_ab: cannot load %s: %s\n", argv[1 + k], dlerror());
            return 2;
        }
        quantize[k] = (quantize_fn)dlsym(lib, "canopy_quantize_grouped");
        matmul[k] = (matmul_fn)dlsym(lib, "canopy_matmul_quant");
        group[k] = (group_fn)dlsym(lib, "canopy_act_group");
        packed_bytes[k] = (packed_bytes_fn)dlsym(lib, "canopy_packed_bytes"); /* NULL before packing existed */
        pack[k] = (pack_fn)dlsym(lib, "canopy_pack");
        matmul_packed[k] = (matmul_fn)dlsym(lib, "canopy_matmul_packed");
        if (!quantize[k] || !matmul[k] || !group[k]) {
            fprintf(stderr, "kernel_ab: %s lacks canopy_quantize_grouped / canopy_matmul_quant / canopy_act_group\n",
                    argv[1 + k]);
            return 2;
        }
    }
    int type = atoi(argv[3]), rows = atoi(argv[4]), cols = atoi(argv[5]), batch = atoi(argv[6]), level = atoi(argv[7]);
    int blocks = atoi(argv[8]), calls = atoi(argv[9]);
    int unit = is_kquant(type) ? 256 : QK; /* values per (super-)block */
    if (rows < 1 || cols < unit || cols % unit != 0 || batch < 1 || blocks < 1 || calls < 1) {
        fprintf(stderr, "kernel_ab: ROWS, BATCH, BLOCKS and CALLS_PER_BLOCK must be >= 1 and COLS a multiple of %d; "
                        "got %d %d %d %d %d\n", unit, rows, cols, batch, blocks, calls);
        return 2;
    }
    if (type != TYPE_Q8_0 && type != TYPE_Q4_0 && !is_affine_type(type)) {
        fprintf(stderr, "kernel_ab: TYPE must be a quantized type (2, 8, 3, 6, 7, 12, 13, 14, 39); got %d\n", type);
        return 2;
    }
    size_t size;
    uint8_t* w = random_weights(type, rows, cols, &size);
    if (w == NULL) {
        fprintf(stderr, "kernel_ab: cannot make %dx%d weights of type %d\n", rows, cols, type);
        return 2;
    }
    float* x = malloc(sizeof(float) * cols * batch);
    for (int i = 0; i < cols * batch; i++) x[i] = rand() / (float)RAND_MAX - 0.5f;
    uint8_t* act = malloc((size_t)canopy_act_bytes(cols, batch));
    float* out[2] = {malloc(sizeof(float) * rows * batch), malloc(sizeof(float) * rows * batch)};
    const uint8_t* weights[2] = {w, w}; /* each library's: its packed copy where it packs */
    for (int k = 0; k < 2; k++) {
        int64_t pb = packed_bytes[k] && pack[k] && matmul_packed[k] ? packed_bytes[k](level, type, rows, cols) : 0;
        if (pb <= 0) {
            matmul_packed[k] = NULL;
            continue;
        }
        uint8_t* p = malloc((size_t)pb);
        if (p == NULL || pack[k](level, type, w, rows, cols, p, 0, rows) != 0) {
            fprintf(stderr, "kernel_ab: %s: cannot pack type %d at level %d\n", argv[1 + k], type, level);
            return 1;
        }
        weights[k] = p;
        printf("%s: packed weights\n", argv[1 + k]);
    }
    double best[2] = {1e9, 1e9};
    double* ratio = malloc(sizeof(double) * blocks);
    for (int b = 0; b < blocks; b++) {
        double block_best[2] = {1e9, 1e9};
        for (int turn = 0; turn < 2; turn++) {
            int k = b % 2 ? 1 - turn : turn;
            for (int c = 0; c < calls; c++) {
                double t0 = thread_seconds();
                quantize[k](level, x, 0, cols, batch, group[k](type), act);
                int32_t rc = (matmul_packed[k] ? matmul_packed[k] : matmul[k])(level, type, weights[k], rows, cols, act,
                                                                               batch, out[k], 0, 0, rows);
                double t = thread_seconds() - t0;
                if (rc != 0) { /* -1 type, -2 out of memory, -3 activations not grouped as the type needs */
                    fprintf(stderr, "kernel_ab: %s: canopy_matmul_quant returned %d for type %d level %d\n", argv[1 + k],
                            rc, type, level);
                    return 1;
                }
                block_best[k] = t < block_best[k] ? t : block_best[k];
            }
        }
        for (int k = 0; k < 2; k++) best[k] = block_best[k] < best[k] ? block_best[k] : best[k];
        ratio[b] = block_best[0] / block_best[1];
    }
    qsort(ratio, (size_t)blocks, sizeof(double), by_value);
    printf("type %d level %d %dx%d batch %d: A best %.1f us, B best %.1f us, A/B best %.3f, A/B per block median %.3f "
           "(quartiles %.3f %.3f), outputs %s\n",
           type, level, rows, cols, batch, best[0] * 1e6, best[1] * 1e6, best[0] / best[1], ratio[blocks / 2],
           ratio[blocks / 4], ratio[3 * blocks / 4],
           memcmp(out[0], out[1], sizeof(float) * rows * batch) == 0 ? "bit-identical" : "differ");
    return 0;
}
