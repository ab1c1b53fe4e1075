// y = x W^T on tensor cores for Q8_0 and Q4_0 weights (mma.sync m16n8k16, bf16 in, fp32 accumulate).
//
//   x (n, cols) floats, y (n, out) floats, W (out, cols) split as in weights.cuh.
//
// Quants (-128..127, or -8..7) are exact in bf16. Each activation is split into two bf16 numbers,
// hi = bf16(x) and lo = bf16(x - hi), and both are multiplied, so a product keeps about 16 bits of x
// (error below 2^-17 of |w x|): logits stay within 1e-3 of the fp32 path. Per 32-column block the
// tensor cores sum q * hi and q * lo over the block's two 16-column halves (fresh accumulator), then
// acc = fmaf(d, block sum, acc) applies the block scale, block after block in order.
//
// A block computes 16 outputs (one m16 tile) for TN tiles of 8 rows; its TC_WARPS warps split the
// 32-column blocks into contiguous runs (by warp and cols only), each summing its run in order from
// zero, and the runs' sums are then added in warp order. The sum for output o and row r depends only
// on x[r], W[o] and cols: rows never mix inside an mma, and the order is the same in every tile, so
// the batch-invariance property holds within this path (a backend uses it for every step).
//
// Launch: block (32 * TC_WARPS), grid (ceil(n / (8 TN)), output groups), where the outputs are cut
// into groups of 16 per matrix.
#pragma once

#include "weights.cuh"

#define TC_WARPS 4
#define TC_STAGED 8 // 32-column blocks a warp fetches before using them

__device__ __forceinline__ void mma_bf16_16x8x16(float* d, const uint32_t* a, uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Two floats as a bf16 pair in one register, the first in the low half (the smaller k index).
__device__ __forceinline__ uint32_t pack_bf16(float first, float second) {
    __nv_bfloat162 p = __floats2bfloat162_rn(first, second);
    return *reinterpret_cast<uint32_t*>(&p);
}

// The hi and lo bf16 pairs of two activations.
__device__ __forceinline__ void split_pair(float2 v, uint32_t& hi, uint32_t& lo) {
    const __nv_bfloat16 h0 = __float2bfloat16_rn(v.x);
    const __nv_bfloat16 h1 = __float2bfloat16_rn(v.y);
    hi = pack_bf16(__bfloat162float(h0), __bfloat162float(h1));
    lo = pack_bf16(__fsub_rn(v.x, __bfloat162float(h0)), __fsub_rn(v.y, __bfloat162float(h1)));
}

// Stages one 32-column block of 16 weight rows in this warp's shared tile (16 rows x 32 int8, as
// signed quant values), rows past `out` as zeros.
struct StageQ8_0 {
    static constexpr int BYTES = 16 * 32;
    typedef int4 Piece; // what one lane moves of a block: 16 quants of one row
    __device__ __forceinline__ static Piece fetch(const void* quants, int o0, int out, int cols, int k0) {
        const int lane = threadIdx.x & 31;
        const int row = lane >> 1;
        Piece v = make_int4(0, 0, 0, 0);
        if (o0 + row < out) {
            v = *reinterpret_cast<const int4*>((const int8_t*)quants + (size_t)(o0 + row) * cols + k0 + (lane & 1) * 16);
        }
        return v;
    }
    __device__ __forceinline__ static void put(Piece v, int8_t* tile) {
        const int lane = threadIdx.x & 31;
        *reinterpret_cast<int4*>(tile + (lane >> 1) * 32 + (lane & 1) * 16) = v;
    }
    // Quants (row, k) and (row, k + 1) of the staged block, k even.
    __device__ __forceinline__ static float2 pair(const int8_t* tile, int row, int k) {
        const char2 q = *reinterpret_cast<const char2*>(tile + row * 32 + k);
        return make_float2((float)q.x, (float)q.y);
    }
};

// Q4_0: the tile holds the block's 16 nibble bytes per row (low nibble = k, high = k + 16), biased by 8.
struct StageQ4_0 {
    static constexpr int BYTES = 16 * 16;
    typedef uint2 Piece; // 8 bytes of one row's block
    __device__ __forceinline__ static Piece fetch(const void* quants, int o0, int out, int cols, int k0) {
        const int lane = threadIdx.x & 31;
        const int row = lane >> 1;
        Piece v = make_uint2(0x88888888u, 0x88888888u); // zeros after the bias
        if (o0 + row < out) {
            v = *reinterpret_cast<const uint2*>((const uint8_t*)quants + ((size_t)(o0 + row) * cols + k0) / 2
                                                + (lane & 1) * 8);
        }
        return v;
    }
    __device__ __forceinline__ static void put(Piece v, int8_t* tile) {
        const int lane = threadIdx.x & 31;
        *reinterpret_cast<uint2*>(tile + (lane >> 1) * 16 + (lane & 1) * 8) = v;
    }
    __device__ __forceinline__ static float2 pair(const int8_t* tile, int row, int k) {
        const int shift = k < 16 ? 0 : 4;
        const uint8_t b0 = (uint8_t)tile[row * 16 + (k & 15)];
        const uint8_t b1 = (uint8_t)tile[row * 16 + (k & 15) + 1];
        return make_float2((float)((int)((b0 >> shift) & 15) - 8), (float)((int)((b1 >> shift) & 15) - 8));
    }
};

// acc[t][i]: this lane's outputs of the m16 x (8 TN) tile (output rows o0 + g and o0 + g + 8, x rows
// r0 + 8t + 2 tig and + 1, g = lane / 4, tig = lane % 4), after all of cols.
//
// The blocks are taken TC_STAGED at a time: their weights and scales are all fetched from memory
// before any is used (one memory latency per TC_STAGED blocks instead of per block), staged in the
// warp's tiles, then each block's sum is computed and applied in block order, exactly as one block
// at a time would: the staging changes the timing, never a bit.
template <typename S, int TN>
__device__ __forceinline__ void tc_tile(const void* quants, const __half* scales, int o0, int out,
                                        const float* __restrict__ x, int r0, int n, int cols, int8_t* tiles,
                                        float (*acc)[4]) {
    const int lane = threadIdx.x & 31;
    const int g = lane >> 2;
    const int tig = lane & 3;
    const int blocks = cols / 32;
    // this warp's share of the blocks: a contiguous run, by warp and cols only
    const int warp = threadIdx.x >> 5;
    const int first = (int)((long long)blocks * warp / TC_WARPS);
    const int end = (int)((long long)blocks * (warp + 1) / TC_WARPS);
#pragma unroll
    for (int t = 0; t < TN; t++) {
        acc[t][0] = acc[t][1] = acc[t][2] = acc[t][3] = 0.f;
    }
    for (int b0 = first; b0 < end; b0 += TC_STAGED) {
        typename S::Piece pieces[TC_STAGED];
        float d0[TC_STAGED];
        float d8[TC_STAGED];
#pragma unroll
        for (int p = 0; p < TC_STAGED; p++) {
            const int b = b0 + p;
            if (b < end) {
                pieces[p] = S::fetch(quants, o0, out, cols, b * 32);
                d0[p] = o0 + g < out ? __half2float(scales[(size_t)(o0 + g) * blocks + b]) : 0.f;
                d8[p] = o0 + g + 8 < out ? __half2float(scales[(size_t)(o0 + g + 8) * blocks + b]) : 0.f;
            }
        }
        __syncwarp(); // the previous blocks' tiles have been read
#pragma unroll
        for (int p = 0; p < TC_STAGED; p++) {
            if (b0 + p < end) {
                S::put(pieces[p], tiles + p * S::BYTES);
            }
        }
        __syncwarp();
#pragma unroll
        for (int p = 0; p < TC_STAGED; p++) {
            const int b = b0 + p;
            if (b >= end) {
                break;
            }
            const int k0 = b * 32;
            const int8_t* tile = tiles + p * S::BYTES;
            uint32_t a[2][4];
#pragma unroll
            for (int s = 0; s < 2; s++) {
                const int k = s * 16 + tig * 2;
                float2 q;
                q = S::pair(tile, g, k);         a[s][0] = pack_bf16(q.x, q.y);
                q = S::pair(tile, g + 8, k);     a[s][1] = pack_bf16(q.x, q.y);
                q = S::pair(tile, g, k + 8);     a[s][2] = pack_bf16(q.x, q.y);
                q = S::pair(tile, g + 8, k + 8); a[s][3] = pack_bf16(q.x, q.y);
            }
#pragma unroll
            for (int t = 0; t < TN; t++) {
                const int row = r0 + t * 8 + g;
                float sum[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
                for (int s = 0; s < 2; s++) {
                    float2 lowK = make_float2(0.f, 0.f);
                    float2 highK = make_float2(0.f, 0.f);
                    if (row < n) {
                        const float* xr = x + (size_t)row * cols + k0 + s * 16 + tig * 2;
                        lowK = *reinterpret_cast<const float2*>(xr);
                        highK = *reinterpret_cast<const float2*>(xr + 8);
                    }
                    uint32_t hi0, lo0, hi1, lo1;
                    split_pair(lowK, hi0, lo0);
                    split_pair(highK, hi1, lo1);
                    mma_bf16_16x8x16(sum, a[s], hi0, hi1);
                    mma_bf16_16x8x16(sum, a[s], lo0, lo1);
                }
                acc[t][0] = fmaf(d0[p], sum[0], acc[t][0]);
                acc[t][1] = fmaf(d0[p], sum[1], acc[t][1]);
                acc[t][2] = fmaf(d8[p], sum[2], acc[t][2]);
                acc[t][3] = fmaf(d8[p], sum[3], acc[t][3]);
            }
        }
    }
}

// Which matrix and 16-row group warp `group` works on, for up to three matrices of out0, out1, out2
// rows (each cut into groups of 16). Returns false past the last group.
__device__ __forceinline__ bool tc_segment(int group, int out0, int out1, int out2, int& segment, int& o0) {
    const int g0 = (out0 + 15) / 16;
    const int g1 = (out1 + 15) / 16;
    const int g2 = (out2 + 15) / 16;
    if (group < g0) { segment = 0; o0 = group * 16; return true; }
    group -= g0;
    if (group < g1) { segment = 1; o0 = group * 16; return true; }
    group -= g1;
    if (group < g2) { segment = 2; o0 = group * 16; return true; }
    return false;
}

// Writes (or adds, rounded as y + v) the lane's outputs of a tile.
template <int TN>
__device__ __forceinline__ void tc_store(float (*acc)[4], float* y, int o0, int out, int r0, int n, int accumulate) {
    const int lane = threadIdx.x & 31;
    const int g = lane >> 2;
    const int tig = lane & 3;
#pragma unroll
    for (int t = 0; t < TN; t++) {
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const int o = o0 + g + (i >= 2 ? 8 : 0);
            const int r = r0 + t * 8 + tig * 2 + (i & 1);
            if (o < out && r < n) {
                float* dst = y + (size_t)r * out + o;
                *dst = accumulate ? __fadd_rn(*dst, acc[t][i]) : acc[t][i];
            }
        }
    }
}

// The block's sum of every warp's acc, added in warp order ((w0 + w1) + w2) + ...; valid in warp 0.
// Every warp of the block must call it (it has block-wide barriers).
template <int TN>
__device__ __forceinline__ void tc_reduce(float (*acc)[4], float* partials) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    __syncthreads(); // warp 0 has read the partials of an earlier reduction (swiglu reduces twice)
    if (warp > 0) {
#pragma unroll
        for (int t = 0; t < TN; t++) {
#pragma unroll
            for (int i = 0; i < 4; i++) partials[((warp - 1) * TN * 4 + t * 4 + i) * 32 + lane] = acc[t][i];
        }
    }
    __syncthreads();
    if (warp == 0) {
        for (int w = 1; w < TC_WARPS; w++) {
#pragma unroll
            for (int t = 0; t < TN; t++) {
#pragma unroll
                for (int i = 0; i < 4; i++) {
                    acc[t][i] = __fadd_rn(acc[t][i], partials[((w - 1) * TN * 4 + t * 4 + i) * 32 + lane]);
                }
            }
        }
    }
}

template <typename S, int TN>
__device__ __forceinline__ void matmul_tc_body(const void* d0, const void* s0, float* y0, int out0, const void* d1,
                                               const void* s1, float* y1, int out1, const void* d2, const void* s2,
                                               float* y2, int out2, const float* __restrict__ x, int n, int cols,
                                               int accumulate) {
    __shared__ __align__(16) int8_t tiles[TC_WARPS][TC_STAGED * S::BYTES];
    __shared__ float partials[(TC_WARPS - 1) * TN * 4 * 32];
    const int warp = threadIdx.x >> 5;
    int segment;
    int o0;
    if (!tc_segment(blockIdx.y, out0, out1, out2, segment, o0)) {
        return; // the whole block leaves together
    }
    const void* quants = segment == 0 ? d0 : segment == 1 ? d1 : d2;
    const __half* scales = (const __half*)(segment == 0 ? s0 : segment == 1 ? s1 : s2);
    float* y = segment == 0 ? y0 : segment == 1 ? y1 : y2;
    const int out = segment == 0 ? out0 : segment == 1 ? out1 : out2;
    const int r0 = blockIdx.x * 8 * TN;
    float acc[TN][4];
    tc_tile<S, TN>(quants, scales, o0, out, x, r0, n, cols, tiles[warp], acc);
    tc_reduce<TN>(acc, partials);
    if (warp == 0) {
        tc_store<TN>(acc, y, o0, out, r0, n, accumulate);
    }
}

template <typename S, int TN>
__device__ __forceinline__ void swiglu_tc_body(const void* gd, const void* gs, const void* ud, const void* us,
                                               float* __restrict__ h, int out, const float* __restrict__ x, int n,
                                               int cols) {
    __shared__ __align__(16) int8_t tiles[TC_WARPS][TC_STAGED * S::BYTES];
    __shared__ float partials[(TC_WARPS - 1) * TN * 4 * 32];
    const int warp = threadIdx.x >> 5;
    const int o0 = blockIdx.y * 16;
    if (o0 >= out) {
        return; // the whole block leaves together
    }
    const int r0 = blockIdx.x * 8 * TN;
    float gate[TN][4];
    float up[TN][4];
    tc_tile<S, TN>(gd, (const __half*)gs, o0, out, x, r0, n, cols, tiles[warp], gate);
    tc_reduce<TN>(gate, partials);
    tc_tile<S, TN>(ud, (const __half*)us, o0, out, x, r0, n, cols, tiles[warp], up);
    tc_reduce<TN>(up, partials);
    if (warp == 0) {
#pragma unroll
        for (int t = 0; t < TN; t++) {
#pragma unroll
            for (int i = 0; i < 4; i++) {
                gate[t][i] = __fmul_rn(__fdiv_rn(gate[t][i], __fadd_rn(fast_exp(-gate[t][i]), 1.f)), up[t][i]);
            }
        }
        tc_store<TN>(gate, h, o0, out, r0, n, 0);
    }
}

#define MATMUL_TC_KERNELS(FMT, STAGE, TN)                                                                      \
    extern "C" __global__ void __launch_bounds__(32 * TC_WARPS) matmul_tc_##FMT##_n##TN(                       \
        const void* d0, const void* s0, float* y0, int out0, const void* d1, const void* s1, float* y1,        \
        int out1, const void* d2, const void* s2, float* y2, int out2, const float* x, int n, int cols,        \
        int accumulate) {                                                                                     \
        matmul_tc_body<STAGE, TN>(d0, s0, y0, out0, d1, s1, y1, out1, d2, s2, y2, out2, x, n, cols, accumulate); \
    }                                                                                                         \
    extern "C" __global__ void __launch_bounds__(32 * TC_WARPS) swiglu_tc_##FMT##_n##TN(                       \
        const void* gd, const void* gs, const void* ud, const void* us, float* h, int out, const float* x,     \
        int n, int cols) {                                                                                    \
        swiglu_tc_body<STAGE, TN>(gd, gs, ud, us, h, out, x, n, cols);                                        \
    }

MATMUL_TC_KERNELS(q8_0, StageQ8_0, 1)
MATMUL_TC_KERNELS(q8_0, StageQ8_0, 4)
MATMUL_TC_KERNELS(q4_0, StageQ4_0, 1)
MATMUL_TC_KERNELS(q4_0, StageQ4_0, 4)
