/*
 * Checks every code path of the C kernels this CPU runs (levels 0 .. canopy_detect_level()) against reference
 * cases computed by the Java scalar path (src/test/resources/kernels/reference.bin, written by
 * KernelReferenceWriter): each output within the case's bound of the reference, and bit-identical whether its
 * activation row is multiplied in the whole batch or alone; where a level packs the type (canopy_packed_bytes > 0:
 * Q4_K, Q5_K, Q6_K on x86), the packed weights' outputs bit-identical to the GGUF layout's. Built with canopy_kernels.c for the machine at hand,
 * or cross-compiled for aarch64 and run under qemu-aarch64 (Maven does both where the tools exist).
 * Usage: kernels_harness reference.bin   Exit status 0 when every case passed on every level.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int32_t canopy_detect_level(void);
int64_t canopy_act_bytes(int32_t cols, int32_t batch);
void canopy_quantize_grouped(int32_t level, const float* x, int64_t xoff, int32_t cols, int32_t batch, int32_t group,
                             uint8_t* buf);
int32_t canopy_act_group(int32_t type);
int32_t canopy_matmul_quant(int32_t level, int32_t type, const uint8_t* w, int32_t rows, int32_t cols,
                            const uint8_t* act, int32_t batch, float* out, int64_t outoff, int32_t row_start,
                            int32_t row_end);
int64_t canopy_packed_bytes(int32_t level, int32_t type, int32_t rows, int32_t cols);
int32_t canopy_pack(int32_t level, int32_t type, const uint8_t* w, int32_t rows, int32_t cols, uint8_t* out,
                    int32_t row_start, int32_t row_end);
int32_t canopy_matmul_packed(int32_t level, int32_t type, const uint8_t* packed, int32_t rows, int32_t cols,
                             const uint8_t* act, int32_t batch, float* out, int64_t outoff, int32_t row_start,
                             int32_t row_end);
int32_t canopy_matmul_float(int32_t level, int32_t type, const uint8_t* w, int32_t rows, int32_t cols, const float* x,
                            int64_t xoff, int32_t batch, float* out, int64_t outoff, int32_t row_start,
                            int32_t row_end);

static int is_float_type(int32_t type) {
    return type == 0 || type == 1 || type == 30;
}

/* out (batch, rows) = W x for activation rows [first, first + batch) of x (all rows of W). */
static int multiply(int level, int32_t type, const uint8_t* w, int32_t rows, int32_t cols, const float* x,
                    int32_t first, int32_t batch, float* out) {
    if (is_float_type(type)) {
        return canopy_matmul_float(level, type, w, rows, cols, x, (int64_t)first * cols, batch, out, 0, 0, rows);
    }
    uint8_t* act = malloc((size_t)canopy_act_bytes(cols, batch));
    canopy_quantize_grouped(level, x, (int64_t)first * cols, cols, batch, canopy_act_group(type), act);
    /* two row ranges, split off the 16-row grid the Java side uses, to cover the row range arguments */
    int32_t mid = rows / 2;
    int rc = canopy_matmul_quant(level, type, w, rows, cols, act, batch, out, 0, 0, mid);
    if (rc == 0) rc = canopy_matmul_quant(level, type, w, rows, cols, act, batch, out, 0, mid, rows);
    free(act);
    return rc;
}

/* multiply's product from weights packed for `level` (packed: canopy_packed_bytes long), the row ranges split at
 * a multiple of 8 as the packed kernels need. */
static int multiply_packed(int level, int32_t type, const uint8_t* packed, int32_t rows, int32_t cols, const float* x,
                           int32_t first, int32_t batch, float* out) {
    uint8_t* act = malloc((size_t)canopy_act_bytes(cols, batch));
    canopy_quantize_grouped(level, x, (int64_t)first * cols, cols, batch, canopy_act_group(type), act);
    int32_t mid = rows / 2 / 8 * 8;
    int rc = canopy_matmul_packed(level, type, packed, rows, cols, act, batch, out, 0, 0, mid);
    if (rc == 0) rc = canopy_matmul_packed(level, type, packed, rows, cols, act, batch, out, 0, mid, rows);
    free(act);
    return rc;
}

/* Packs w for `level` (in two row ranges) and checks that the packed products equal the GGUF layout's, `all`, for
 * the whole batch and for each of its activation rows alone: 1 when something differs. */
static int check_packed(int c, int level, int32_t type, const uint8_t* w, int32_t rows, int32_t cols, const float* x,
                        int32_t batch, const float* all) {
    uint8_t* packed = malloc((size_t)canopy_packed_bytes(level, type, rows, cols));
    float* got = malloc(sizeof(float) * (size_t)batch * rows);
    int32_t mid = rows / 2 / 8 * 8;
    int bad = canopy_pack(level, type, w, rows, cols, packed, 0, mid) != 0
              || canopy_pack(level, type, w, rows, cols, packed, mid, rows) != 0
              || canopy_pack(level, type, w, rows, cols, packed, 1, rows) != -4 /* not on a tile */
              || multiply_packed(level, type, packed, rows, cols, x, 0, batch, got) != 0
              || memcmp(got, all, sizeof(float) * (size_t)batch * rows) != 0;
    for (int32_t b = 0; b < batch && !bad; b++)
        bad = multiply_packed(level, type, packed, rows, cols, x, b, 1, got) != 0
              || memcmp(got, all + (int64_t)b * rows, sizeof(float) * (size_t)rows) != 0;
    if (bad) fprintf(stderr, "case %d type %d %dx%d level %d: the packed weights' products differ from the GGUF "
                             "layout's (or packing failed)\n", c, type, rows, cols, level);
    free(packed);
    free(got);
    return bad;
}

static void read_exact(FILE* f, void* dst, size_t n, const char* what) {
    if (fread(dst, 1, n, f) != n) {
        fprintf(stderr, "kernels_harness: reference file ends inside %s\n", what);
        exit(2);
    }
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: kernels_harness reference.bin\n");
        return 2;
    }
    FILE* f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "kernels_harness: cannot open %s\n", argv[1]);
        return 2;
    }
    char magic[4];
    int32_t count;
    read_exact(f, magic, 4, "the header");
    read_exact(f, &count, 4, "the header");
    if (memcmp(magic, "CKR1", 4) != 0 || count <= 0) {
        fprintf(stderr, "kernels_harness: %s is not a reference file (magic CKR1, at least one case)\n", argv[1]);
        return 2;
    }
    int best = canopy_detect_level();
    int failures = 0, checked = 0, packed = 0;
    for (int32_t c = 0; c < count; c++) {
        int32_t hdr[5];
        read_exact(f, hdr, sizeof hdr, "a case header");
        int32_t type = hdr[0], rows = hdr[1], cols = hdr[2], batch = hdr[3], wbytes = hdr[4];
        uint8_t* w = malloc((size_t)wbytes);
        float* x = malloc(sizeof(float) * (size_t)batch * cols);
        float* expected = malloc(sizeof(float) * (size_t)batch * rows);
        float* bound = malloc(sizeof(float) * (size_t)batch * rows);
        float* all = malloc(sizeof(float) * (size_t)batch * rows);
        float* one = malloc(sizeof(float) * (size_t)rows);
        read_exact(f, w, (size_t)wbytes, "weights");
        read_exact(f, x, sizeof(float) * (size_t)batch * cols, "activations");
        read_exact(f, expected, sizeof(float) * (size_t)batch * rows, "expected outputs");
        read_exact(f, bound, sizeof(float) * (size_t)batch * rows, "bounds");
        for (int level = 0; level <= best; level++) {
            int bad = 0;
            if (multiply(level, type, w, rows, cols, x, 0, batch, all) != 0) {
                fprintf(stderr, "case %d type %d level %d: the kernel refused the type\n", c, type, level);
                bad = 1;
            }
            for (int32_t b = 0; b < batch && !bad; b++) {
                multiply(level, type, w, rows, cols, x, b, 1, one);
                for (int32_t r = 0; r < rows; r++) {
                    float got = all[b * rows + r];
                    if (!(fabsf(got - expected[b * rows + r]) <= bound[b * rows + r])) {
                        fprintf(stderr, "case %d type %d %dx%d level %d: out[%d][%d] = %g, reference %g, bound %g\n", c,
                                type, rows, cols, level, b, r, got, expected[b * rows + r], bound[b * rows + r]);
                        bad = 1;
                    }
                    if (memcmp(&got, &one[r], 4) != 0) {
                        fprintf(stderr, "case %d type %d level %d: out[%d][%d] = %g in the batch, %g alone\n", c, type,
                                level, b, r, got, one[r]);
                        bad = 1;
                    }
                }
            }
            if (!bad && canopy_packed_bytes(level, type, rows, cols) > 0) {
                bad = check_packed(c, level, type, w, rows, cols, x, batch, all);
                packed++;
            }
            failures += bad;
            checked++;
        }
        free(w);
        free(x);
        free(expected);
        free(bound);
        free(all);
        free(one);
    }
    fclose(f);
    printf("kernels_harness: %d cases x levels 0..%d: %d checked (%d also packed), %d failed\n", count, best, checked,
           packed, failures);
    return failures == 0 ? 0 : 1;
}
