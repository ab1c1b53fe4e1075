// The GEMV lab: batch-1 designs of y = W x side by side, measured and checked by GemvLab (test sources).
// Built into test-classes as cuda/gemv-lab.fatbin by executor/pom.xml (profile cuda-kernels), flags as
// canopy.fatbin: nvcc -fatbin -O3 --fmad=false -gencode arch=compute_90,code=[sm_90,compute_90] -I <src/main/cuda>
//
//   W (rows, cols) Q8_0 or Q4_0 in the device split layout of weights.cuh: quants (rows, cols) int8 or
//   (rows, cols / 2) nibble bytes, scales (rows, cols / 32) fp16; x (cols) fp32; y (rows) fp32; cols % 32 == 0.
//
// Kernel names: gemv_<format>[_b32]_s<U>_r<R>[_k<K>][_w<W>][_xs][_cs] and gemv_<format>_dp4a_s<U>_r<R>.
//   s<U>  a lane fetches U chunks (loads in flight together) before converting the first; s1 = main's loop
//   r<R>  one warp computes R consecutive outputs, converting each x chunk once for the R rows
//   k<K>  K warps share one output row (the chunks dealt out warp by warp), summed in a fixed order in shared memory
//   w<W>  W warps per block (default 8, as main's MATMUL_WARPS)
//   xs    x copied once per block into shared memory; cs: weights loaded with the evict-first hint (__ldcs)
//   b32   Q8_0 with a lane owning a whole 32-value block (two 16-byte loads) instead of half of one
//   dp4a  x quantized per 32-block to int8 (gemv_quantize_x: scale, int8 values, their sum), integer dot products
//
// Summation order: with K == 1 and without b32, lane l of a warp owns the chunks k0 = l * CH + 32 * CH * i of
// its row (CH = 16 for Q8_0, 32 for Q4_0); each chunk's products are fused-multiply-added in order into s,
// acc = fmaf(scale, s, acc) chunk after chunk, then warp_sum: exactly main's lane_dots with TR = 1, so the same
// bits as matmul_q8_0_c16_r1 / matmul_q4_0_c32_r1. Staging (U), R, W, xs and cs change only when and from
// where values are loaded. k<K>, b32 and dp4a add in another order (fixed, independent of the batch).
#include "weights.cuh"

// 16 bytes at p; STREAM: the evict-first cache hint (weights are read once per token)
template <bool STREAM>
__device__ __forceinline__ int4 load16(const void* p) {
    return STREAM ? __ldcs(reinterpret_cast<const int4*>(p)) : *reinterpret_cast<const int4*>(p);
}

// Q8_0 as main's matmul_q8_0_c16: a chunk is 16 int8 values (half a block).
struct LabQ8 {
    static constexpr int CH = 16;
    struct Raw {
        int4 q;
    };
    template <bool STREAM>
    __device__ __forceinline__ static Raw fetch(const uint8_t* quants, size_t row, int cols, int k0) {
        return Raw{load16<STREAM>(quants + row * cols + k0)};
    }
    __device__ __forceinline__ static void convert(const Raw& r, float* out) { int8x16_floats(r.q, out); }
    // sum of q * xq over the chunk; xq at the chunk's first value
    __device__ __forceinline__ static int dot(const Raw& r, const int8_t* xq, int xsum) {
        const int4 xv = *reinterpret_cast<const int4*>(xq);
        return __dp4a(r.q.w, xv.w, __dp4a(r.q.z, xv.z, __dp4a(r.q.y, xv.y, __dp4a(r.q.x, xv.x, 0))));
    }
};

// Q8_0 with a lane owning a whole block: 32 values, two 16-byte loads, one scale per lane.
struct LabQ8Block {
    static constexpr int CH = 32;
    struct Raw {
        int4 a, b;
    };
    template <bool STREAM>
    __device__ __forceinline__ static Raw fetch(const uint8_t* quants, size_t row, int cols, int k0) {
        const uint8_t* p = quants + row * cols + k0;
        return Raw{load16<STREAM>(p), load16<STREAM>(p + 16)};
    }
    __device__ __forceinline__ static void convert(const Raw& r, float* out) {
        int8x16_floats(r.a, out);
        int8x16_floats(r.b, out + 16);
    }
    __device__ __forceinline__ static int dot(const Raw& r, const int8_t* xq, int xsum) {
        return LabQ8::dot(LabQ8::Raw{r.b}, xq + 16, 0) + LabQ8::dot(LabQ8::Raw{r.a}, xq, 0);
    }
};

// Q4_0 as main's matmul_q4_0_c32: a chunk is one block, 16 bytes of nibbles (low nibble of byte j = value j,
// high nibble = value j + 16, biased by 8), converted by weights.cuh's nibbles32_floats, as WeightQ4_0::decode.
struct LabQ4 {
    static constexpr int CH = 32;
    struct Raw {
        int4 q;
    };
    template <bool STREAM>
    __device__ __forceinline__ static Raw fetch(const uint8_t* quants, size_t row, int cols, int k0) {
        return Raw{load16<STREAM>(quants + (row * cols + k0) / 2)};
    }
    __device__ __forceinline__ static void convert(const Raw& r, float* out) {
        nibbles32_floats(make_uint4(r.q.x, r.q.y, r.q.z, r.q.w), out);
    }
    // sum of (q - 8) * xq: the nibbles as they are, then 8 times the block's x sum taken off
    __device__ __forceinline__ static int dot(const Raw& r, const int8_t* xq, int xsum) {
        const int4 xa = *reinterpret_cast<const int4*>(xq);      // values 0..15
        const int4 xb = *reinterpret_cast<const int4*>(xq + 16); // values 16..31
        const int words[4] = {r.q.x, r.q.y, r.q.z, r.q.w};
        const int lo[4] = {xa.x, xa.y, xa.z, xa.w};
        const int hi[4] = {xb.x, xb.y, xb.z, xb.w};
        int sum = 0;
#pragma unroll
        for (int w = 0; w < 4; w++) {
            sum = __dp4a(words[w] & 0x0F0F0F0F, lo[w], sum);
            sum = __dp4a((words[w] >> 4) & 0x0F0F0F0F, hi[w], sum);
        }
        return sum - 8 * xsum;
    }
};

// Calls use(k0, raw, sc) for this lane's chunks k0 = first + step * i in order, i = 0, 1, ..., raw and sc being
// the R rows' (R) loaded quants and scales of the chunk. Stage by stage: every load of a stage's U chunks first,
// without branches (a chunk past the row reloads the stage's first one), then the chunks used one by one.
template <typename F, int U, int R, bool STREAM, typename Use>
__device__ __forceinline__ void for_each_chunk(const uint8_t* quants, const __half* scales, const size_t* row,
                                               int cols, int first, int step, Use use) {
    for (int base = first; base < cols; base += step * U) {
        typename F::Raw raw[U][R];
        __half sc[U][R];
#pragma unroll
        for (int r = 0; r < R; r++) {
#pragma unroll
            for (int u = 0; u < U; u++) {
                const int k0 = base + u * step < cols ? base + u * step : base;
                raw[u][r] = F::template fetch<STREAM>(quants, row[r], cols, k0);
                sc[u][r] = scales[row[r] * (cols / 32) + k0 / 32];
            }
        }
#pragma unroll
        for (int u = 0; u < U; u++) {
            const int k0 = base + u * step;
            if (k0 >= cols) {
                break;
            }
            use(k0, raw[u], sc[u]);
        }
    }
}

// The warp's rows: outputs o0 .. o0 + R - 1, those past the matrix replaced by its last row (computed, not stored).
template <int R>
__device__ __forceinline__ void warp_rows(int o0, int rows, size_t* row) {
#pragma unroll
    for (int r = 0; r < R; r++) row[r] = (size_t)min(o0 + r, rows - 1);
}

// y[o] for the block's outputs: the lanes' sums of each row added by warp_sum, the K warps of a row in order.
template <int R, int K, int W>
__device__ __forceinline__ void store_rows(const float* acc, int o0, int rows, float* y) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    float v[R];
#pragma unroll
    for (int r = 0; r < R; r++) v[r] = warp_sum(acc[r]);
    if (K > 1) {
        __shared__ float partial[W][R]; // (warp, row)
        if (lane == 0) {
#pragma unroll
            for (int r = 0; r < R; r++) partial[warp][r] = v[r];
        }
        __syncthreads();
        if (warp % K != 0) {
            return;
        }
#pragma unroll
        for (int r = 0; r < R; r++) {
            for (int j = 1; j < K; j++) v[r] = __fadd_rn(v[r], partial[warp + j][r]);
        }
    }
#pragma unroll
    for (int r = 0; r < R; r++) {
        if (lane == 0 && o0 + r < rows) y[o0 + r] = v[r];
    }
}

// y = W x in fp32 with main's arithmetic (see the top of this file); U, R, K, W, XS, STREAM as in the kernel names.
template <typename F, int U, int R, int K, int W, bool XS, bool STREAM>
__device__ __forceinline__ void staged_gemv(const uint8_t* quants, const __half* scales, const float* x, float* y,
                                            int rows, int cols) {
    constexpr int CH = F::CH;
    extern __shared__ float4 x_shared[]; // (cols / 4) when XS
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const float* xv = x;
    if (XS) {
        for (int i = threadIdx.x; i < cols / 4; i += 32 * W) x_shared[i] = reinterpret_cast<const float4*>(x)[i];
        __syncthreads();
        xv = reinterpret_cast<const float*>(x_shared);
    }
    const int o0 = (blockIdx.x * (W / K) + warp / K) * R;
    size_t row[R];
    warp_rows<R>(o0, rows, row);
    float acc[R];
#pragma unroll
    for (int r = 0; r < R; r++) acc[r] = 0.f;
    for_each_chunk<F, U, R, STREAM>(quants, scales, row, cols, ((warp % K) * 32 + lane) * CH, 32 * K * CH,
                                    [&](int k0, const typename F::Raw* raw, const __half* sc) {
        float xk[CH];
#pragma unroll
        for (int i = 0; i < CH; i += 4) {
            const float4 v = *reinterpret_cast<const float4*>(xv + k0 + i);
            xk[i] = v.x; xk[i + 1] = v.y; xk[i + 2] = v.z; xk[i + 3] = v.w;
        }
#pragma unroll
        for (int r = 0; r < R; r++) {
            float wv[CH];
            F::convert(raw[r], wv);
            float s = 0.f;
#pragma unroll
            for (int i = 0; i < CH; i++) s = fmaf(wv[i], xk[i], s);
            acc[r] = fmaf(__half2float(sc[r]), s, acc[r]);
        }
    });
    store_rows<R, K, W>(acc, o0, rows, y);
}

// y = W x with x quantized (gemv_quantize_x): per chunk an integer dot product, scaled by both blocks' scales.
template <typename F, int U, int R>
__device__ __forceinline__ void dp4a_gemv(const uint8_t* quants, const __half* scales, const int8_t* xq,
                                          const float* xd, const int* xsum, float* y, int rows, int cols) {
    const int o0 = (blockIdx.x * 8 + (threadIdx.x >> 5)) * R;
    size_t row[R];
    warp_rows<R>(o0, rows, row);
    float acc[R];
#pragma unroll
    for (int r = 0; r < R; r++) acc[r] = 0.f;
    for_each_chunk<F, U, R, false>(quants, scales, row, cols, (threadIdx.x & 31) * F::CH, 32 * F::CH,
                                   [&](int k0, const typename F::Raw* raw, const __half* sc) {
        const float dx = xd[k0 / 32];
        const int sx = xsum[k0 / 32];
#pragma unroll
        for (int r = 0; r < R; r++) {
            const int dot = F::dot(raw[r], xq + k0, sx);
            acc[r] = fmaf(__fmul_rn(__half2float(sc[r]), dx), (float)dot, acc[r]);
        }
    });
    store_rows<R, 1, 8>(acc, o0, rows, y);
}

#define LAB_ARGS const uint8_t *q, const __half *s, const float *x, float *y, int rows, int cols
#define LAB_STAGED(NAME, F, U, R, K, W, XS, CS)                                                      \
    extern "C" __global__ void __launch_bounds__(32 * W) NAME(LAB_ARGS) {                          \
        staged_gemv<F, U, R, K, W, XS, CS>(q, s, x, y, rows, cols);                                \
    }
#define LAB_DP4A(NAME, F, U, R)                                                                      \
    extern "C" __global__ void __launch_bounds__(256) NAME(const uint8_t* q, const __half* s,       \
                                                           const int8_t* xq, const float* xd,       \
                                                           const int* xsum, float* y, int rows, int cols) { \
        dp4a_gemv<F, U, R>(q, s, xq, xd, xsum, y, rows, cols);                                     \
    }

//         kernel                    format      U  R  K  W  xs     cs
LAB_STAGED(gemv_q8_0_s1_r1,          LabQ8,      1, 1, 1, 8, false, false) // main's loop, rebuilt here
LAB_STAGED(gemv_q8_0_s4_r1,          LabQ8,      4, 1, 1, 8, false, false) // branch gemv-prefetch
LAB_STAGED(gemv_q8_0_s8_r1,          LabQ8,      8, 1, 1, 8, false, false)
LAB_STAGED(gemv_q8_0_s4_r2,          LabQ8,      4, 2, 1, 8, false, false)
LAB_STAGED(gemv_q8_0_s8_r2,          LabQ8,      8, 2, 1, 8, false, false)
LAB_STAGED(gemv_q8_0_s4_r4,          LabQ8,      4, 4, 1, 8, false, false)
LAB_STAGED(gemv_q8_0_s4_r1_xs,       LabQ8,      4, 1, 1, 8, true,  false)
LAB_STAGED(gemv_q8_0_s8_r2_xs,       LabQ8,      8, 2, 1, 8, true,  false)
LAB_STAGED(gemv_q8_0_s8_r2_cs,       LabQ8,      8, 2, 1, 8, false, true)
LAB_STAGED(gemv_q8_0_s8_r1_w4,       LabQ8,      8, 1, 1, 4, false, false)
LAB_STAGED(gemv_q8_0_s8_r1_w16,      LabQ8,      8, 1, 1, 16, false, false)
LAB_STAGED(gemv_q8_0_s4_r1_k4,       LabQ8,      4, 1, 4, 8, false, false)
LAB_STAGED(gemv_q8_0_s4_r2_k2,       LabQ8,      4, 2, 2, 8, false, false)
LAB_STAGED(gemv_q8_0_b32_s4_r1,      LabQ8Block, 4, 1, 1, 8, false, false)
LAB_STAGED(gemv_q8_0_b32_s4_r2,      LabQ8Block, 4, 2, 1, 8, false, false)
LAB_STAGED(gemv_q4_0_s1_r1,          LabQ4,      1, 1, 1, 8, false, false)
LAB_STAGED(gemv_q4_0_s4_r1,          LabQ4,      4, 1, 1, 8, false, false)
LAB_STAGED(gemv_q4_0_s8_r1,          LabQ4,      8, 1, 1, 8, false, false)
LAB_STAGED(gemv_q4_0_s4_r2,          LabQ4,      4, 2, 1, 8, false, false)
LAB_STAGED(gemv_q4_0_s4_r4,          LabQ4,      4, 4, 1, 8, false, false)
LAB_STAGED(gemv_q4_0_s4_r2_xs,       LabQ4,      4, 2, 1, 8, true,  false)
LAB_DP4A(gemv_q8_0_dp4a_s4_r1,       LabQ8,      4, 1)
LAB_DP4A(gemv_q8_0_dp4a_s8_r2,       LabQ8,      8, 2)
LAB_DP4A(gemv_q8_0_b32_dp4a_s4_r2,   LabQ8Block, 4, 2)
LAB_DP4A(gemv_q4_0_dp4a_s4_r1,       LabQ4,      4, 1)
LAB_DP4A(gemv_q4_0_dp4a_s4_r2,       LabQ4,      4, 2)

// x (cols) to xq (cols) int8, xd (cols / 32) scales and xsum (cols / 32) sums of xq: one warp per 32-block,
// d = max |x| / 127, q = round(x / d) (llama.cpp's q8_1). Launch: cols threads in blocks of 256.
extern "C" __global__ void gemv_quantize_x(const float* x, int8_t* xq, float* xd, int* xsum, int cols) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= cols) {
        return; // whole warps: cols % 32 == 0
    }
    const float v = x[i];
    const float amax = warp_max(fabsf(v));
    const float d = __fdiv_rn(amax, 127.f);
    const int q = amax == 0.f ? 0 : __float2int_rn(__fdiv_rn(v, d));
    xq[i] = (int8_t)q;
    const int sum = __reduce_add_sync(CANOPY_FULL_MASK, q);
    if ((threadIdx.x & 31) == 0) {
        xd[i / 32] = d;
        xsum[i / 32] = sum;
    }
}

// The launch floor: a kernel that does nothing, and one that writes one float per thread.
extern "C" __global__ void gemv_empty() {}

extern "C" __global__ void gemv_tiny(float* y) { y[threadIdx.x] = (float)threadIdx.x; }

// Random test data: word i of p (words) a hash of (i, seed); scales (n) fp16 of either sign, 2^-8 .. 2^-7 in size.
__device__ __forceinline__ uint32_t lab_hash(uint64_t i, uint32_t seed) {
    uint64_t h = (i + ((uint64_t)seed << 32)) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

extern "C" __global__ void gemv_fill_words(uint32_t* p, size_t words, uint32_t seed) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < words; i += (size_t)gridDim.x * blockDim.x) {
        p[i] = lab_hash(i, seed);
    }
}

extern "C" __global__ void gemv_fill_scales(__half* s, size_t n, uint32_t seed) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        const uint32_t h = lab_hash(i, seed ^ 0x5CA1Eu);
        const float size = __fmul_rn(__fadd_rn(1.f, (float)(h >> 22) * (1.f / 1024.f)), 1.f / 256.f);
        s[i] = __float2half_rn((h & 1) ? -size : size);
    }
}
