/*
 * Writes one quantized matmul's float outputs to stdout, for comparing two versions of the C kernels byte for
 * byte (scripts/kernel-bit-identity.sh). Not built by Maven. KERNELS names the canopy_kernels.c to build against:
 *
 *   gcc -O2 -ffp-contract=off -fno-strict-aliasing -DKERNELS='"path/canopy_kernels.c"' -o kd kernel_dump.c -lm
 *   kd TYPE ROWS COLS BATCH LEVEL > out.bin
 *
 * Weights and activations are random from a fixed seed (valid scales); the rows are computed as two row
 * ranges split off the tile grid, so ragged tiles are covered.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include KERNELS

int main(int argc, char** argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: kernel_dump TYPE ROWS COLS BATCH LEVEL\n");
        return 2;
    }
    int type = atoi(argv[1]), rows = atoi(argv[2]), cols = atoi(argv[3]), batch = atoi(argv[4]), level = atoi(argv[5]);
    if (!is_affine_type(type)) {
        fprintf(stderr, "kernel_dump: TYPE must be an affine type (3, 6, 7, 12, 13, 14, 39); got %d\n", type);
        return 2;
    }
    srand(7);
    size_t size = (size_t)affine_row_bytes(type, cols) * rows;
    uint8_t* w = malloc(size);
    for (size_t i = 0; i < size; i++) w[i] = (uint8_t)rand();
    /* valid scales: fp16 in [2^-7, 2^-6) where the block keeps them, MXFP4 exponents near 2^0 */
    size_t step = is_kquant(type) ? (size_t)affine_row_bytes(type, 256) : (size_t)legacy_block_bytes(type);
    size_t half_at = type == TYPE_Q6_K ? 208 : 0;
    int two = type == TYPE_Q4_K || type == TYPE_Q5_K || type == TYPE_Q4_1 || type == TYPE_Q5_1;
    for (size_t i = 0; i < size; i += step) {
        if (type == TYPE_MXFP4) {
            w[i] = (uint8_t)(120 + rand() % 8);
            continue;
        }
        memcpy(w + i + half_at, &(uint16_t){(uint16_t)(0x2000 | (rand() & 0x3FF))}, 2);
        if (two) memcpy(w + i + 2, &(uint16_t){(uint16_t)(0x2000 | (rand() & 0x3FF))}, 2);
    }
    float* x = malloc(sizeof(float) * cols * batch);
    for (int i = 0; i < cols * batch; i++) x[i] = rand() / (float)RAND_MAX - 0.5f;
    uint8_t* act = malloc((size_t)canopy_act_bytes(cols, batch));
    float* out = calloc((size_t)rows * batch, sizeof(float));
#ifdef CANOPY_ACT_GROUPS
    canopy_quantize_grouped(level, x, 0, cols, batch, canopy_act_group(type), act);
#else /* sources before the grouped activations */
    canopy_quantize(level, x, 0, cols, batch, act);
#endif
    int half = rows / 2 + 3 < rows ? rows / 2 + 3 : rows;
    canopy_matmul_quant(level, type, w, rows, cols, act, batch, out, 0, 0, half);
    canopy_matmul_quant(level, type, w, rows, cols, act, batch, out, 0, half, rows);
    fwrite(out, sizeof(float), (size_t)rows * batch, stdout);
    return 0;
}
