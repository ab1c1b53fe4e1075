/*
 * Checks every code path of the C kernels this CPU runs (levels 0 .. canopy_detect_level()) against reference
 * cases computed by the Java scalar path (src/test/resources/kernels/reference.bin, written by
 * KernelReferenceWriter): each output within the case's bound of the reference, and bit-identical whether its
 * activation row is multiplied in the whole batch or alone; where a level packs the type (canopy_packed_bytes > 0:
 * Q4_K, Q5_K, Q6_K on x86), the packed weights' outputs bit-identical to the GGUF layout's. Built with canopy_kernels.c for the machine at hand,
 * or cross-compiled for aarch64 and run under qemu-aarch64 (Maven does both where the tools exist).
 * With a second file (src/test/resources/kernels/attention.bin, written by AttentionReferenceWriter) it also checks
 * canopy_attend at every level: bit-identical to the Java attention at the lane width recorded with each case.
 * Usage: kernels_harness reference.bin [attention.bin]   Exit status 0 when every case passed on every level.
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
int32_t canopy_attend(int32_t level, int32_t lanes, int32_t head_dim, float scale, const float* q,
                      const int32_t* q_base, const int32_t* last_pos, int32_t g, const int32_t* tables,
                      const int32_t* table_start, const float* keys, const float* values, int32_t kv_dim,
                      int32_t block_size, int32_t head_from, int32_t head_to, int32_t group_size, int32_t window,
                      const float* sinks, float* out);
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

/* AttentionReferenceWriter's generator: the next state, and a float in [-1, 1) from its top 24 bits (exact). */
static uint32_t lcg_next(uint32_t state) {
    return state * 1664525u + 1013904223u;
}

static float lcg_value(uint32_t state) {
    return (float)((int32_t)(state >> 8) - 8388608) * (1.0f / 8388608.0f);
}

static float* lcg_fill(uint32_t* state, size_t n, float factor) {
    float* a = malloc(sizeof(float) * n);
    for (size_t i = 0; i < n; i++) {
        *state = lcg_next(*state);
        a[i] = lcg_value(*state) * factor;
    }
    return a;
}

/* Every attention case of `path` at every level: canopy_attend's outputs bit-identical to the Java attention's.
 * Returns the number of failed (case, level) pairs, or -1 when the file cannot be read. */
static int check_attention(const char* path, int best) {
    FILE* f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kernels_harness: cannot open %s\n", path);
        return -1;
    }
    char magic[4];
    int32_t count;
    read_exact(f, magic, 4, "the attention header");
    read_exact(f, &count, 4, "the attention header");
    if (memcmp(magic, "CKA1", 4) != 0 || count <= 0) {
        fprintf(stderr, "kernels_harness: %s is not an attention reference file (magic CKA1, a case or more)\n", path);
        fclose(f);
        return -1;
    }
    int failures = 0, checked = 0;
    for (int32_t c = 0; c < count; c++) {
        int32_t h[12];
        read_exact(f, h, sizeof h, "an attention case header");
        int32_t lanes = h[0], hd = h[1], kv_heads = h[2], group = h[3], bs = h[4], blocks = h[5], g = h[6];
        int32_t window = h[7], has_sinks = h[8], head_from = h[10], head_to = h[11];
        uint32_t state = (uint32_t)h[9];
        int32_t heads = kv_heads * group, kv_dim = kv_heads * hd, q_dim = heads * hd;
        int32_t* last_pos = malloc(sizeof(int32_t) * (size_t)g);
        int32_t* table_start = malloc(sizeof(int32_t) * (size_t)g);
        int32_t* q_base = malloc(sizeof(int32_t) * (size_t)g);
        int32_t* tables = malloc(sizeof(int32_t) * (size_t)g * (size_t)blocks);
        int32_t used = 0;
        for (int32_t i = 0; i < g; i++) {
            read_exact(f, &last_pos[i], 4, "a query's last position");
            table_start[i] = used;
            q_base[i] = i * q_dim;
            read_exact(f, tables + used, 4 * (size_t)(last_pos[i] / bs + 1), "a query's block table");
            used += last_pos[i] / bs + 1;
        }
        size_t outs = (size_t)g * q_dim;
        float* expected = malloc(sizeof(float) * outs);
        read_exact(f, expected, sizeof(float) * outs, "expected attention outputs");
        size_t kv_floats = (size_t)blocks * bs * kv_dim;
        float* keys = lcg_fill(&state, kv_floats, 1.0f);
        float* values = lcg_fill(&state, kv_floats, 1.0f);
        float* q = lcg_fill(&state, outs, 2.0f);
        float* sinks = has_sinks ? lcg_fill(&state, (size_t)heads, 3.0f) : NULL;
        float* out = malloc(sizeof(float) * outs);
        for (int level = 0; level <= best; level++) {
            memset(out, 0, sizeof(float) * outs);
            int rc = canopy_attend(level, lanes, hd, (float)(1.0 / sqrt((double)hd)), q, q_base, last_pos, g, tables,
                                   table_start, keys, values, kv_dim, bs, head_from, head_to, group, window, sinks, out);
            int bad = rc != 0;
            if (bad) fprintf(stderr, "attention case %d level %d: canopy_attend returned %d\n", c, level, rc);
            for (size_t i = 0; i < outs && !bad; i++) {
                if (memcmp(&out[i], &expected[i], 4) != 0) {
                    fprintf(stderr, "attention case %d (%d lanes, heads of %d) level %d: out[%zu] = %.9g, Java %.9g\n",
                            c, lanes, hd, level, i, out[i], expected[i]);
                    bad = 1;
                }
            }
            failures += bad;
            checked++;
        }
        free(last_pos);
        free(table_start);
        free(q_base);
        free(tables);
        free(expected);
        free(keys);
        free(values);
        free(q);
        free(sinks);
        free(out);
    }
    fclose(f);
    printf("kernels_harness: %d attention cases x levels 0..%d: %d checked, %d failed\n", count, best, checked,
           failures);
    return failures;
}

int main(int argc, char** argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: kernels_harness reference.bin [attention.bin]\n");
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
    if (argc == 3) {
        int attention_failures = check_attention(argv[2], best);
        if (attention_failures < 0) return 2;
        failures += attention_failures;
    }
    return failures == 0 ? 0 : 1;
}
