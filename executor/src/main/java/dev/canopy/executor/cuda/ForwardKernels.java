package dev.canopy.executor.cuda;

import dev.canopy.executor.model.ModelConfig;
import dev.canopy.executor.model.RopeStyle;
import dev.canopy.executor.tensor.GgmlType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Typed launchers for the kernels of {@code src/main/cuda}, one method per step of the forward pass.
 * Arguments are raw device addresses; shapes are in the javadoc of each method and in the kernel
 * sources. Launches are queued on the context's stream; with {@code checkEachKernel} every launch is
 * followed by a synchronization, so an asynchronous fault names its kernel.
 */
final class ForwardKernels implements AutoCloseable {

    private static final int MATMUL_WARPS = 8;     // as in matmul.cuh
    private static final int MATMUL_ROW_TILE = 8;  // TR of the r8 kernels
    private static final int TC_WARPS = 4;         // as in matmul_tc.cuh: they split one group's columns
    private static final int TC_ROWS = 16;         // outputs per warp (the mma's m)
    private static final int TC_TILES = 4;         // TN of the n4 kernels: 4 tiles of 8 rows
    /** Types with tensor-core kernels; the others run in fp32 on CUDA cores whatever the options say. */
    static final Set<GgmlType> TC_TYPES = EnumSet.of(GgmlType.Q8_0, GgmlType.Q4_0);
    private static final int ROW_THREADS = 256;    // rms_norm, embed, rope_store
    private static final int ATTENTION_THREADS = 128;
    /** Head widths with a shared-prefix kernel ({@code attention_prefix_d<width>}). */
    static final Set<Integer> PREFIX_HEAD_DIMS = Set.of(64, 128);
    private static final int PREFIX_THREADS = 128; // queries one shared-prefix block holds, as its __launch_bounds__
    private static final int PREFIX_TILE = 32;     // positions staged at a time, as in shared_prefix.cuh
    /** CUDA blocks sharing one group's positions (grid z of attention_prefix): a few long groups fill the GPU. */
    static final int PREFIX_SPLITS = 8;
    private static final int ELEMENTWISE_THREADS = 256;
    private static final int MAX_GRID_Y = 65535;

    private final CudaContext context;
    private final CudaModule module;
    private final boolean checkEachKernel;
    private final boolean tensorCores;
    private final KernelArgs args = new KernelArgs();
    private final int attentionSharedLimit; // bytes of dynamic shared memory one attention block may use
    private KernelProfile profile; // null: launches are not timed

    ForwardKernels(CudaContext context, CudaModule module, boolean checkEachKernel, boolean tensorCores) {
        this.context = context;
        this.module = module;
        this.checkEachKernel = checkEachKernel;
        this.tensorCores = tensorCores;
        for (String name : kernelNames()) {
            module.kernel(name); // a kernel missing from the module fails here, at load, naming it
        }
        Kernel attention = module.kernel("attention");
        Kernel merge = module.kernel("attention_merge");
        // static (its reductions' __shared__ arrays) and dynamic shared memory together stay within the opt-in limit
        this.attentionSharedLimit = context.info().maxSharedBytesPerBlock()
                - Math.max(module.staticSharedBytes(attention), module.staticSharedBytes(merge));
        module.allowSharedMemory(attention, attentionSharedLimit);
        module.allowSharedMemory(merge, attentionSharedLimit);
        for (int headDim : PREFIX_HEAD_DIMS) {
            module.allowSharedMemory(module.kernel(prefixKernel(headDim)), prefixSharedBytes(headDim));
        }
    }

    /** Times every launch from now on in {@code profile} (null: stops timing). Only for kernel-by-kernel launches. */
    void profile(KernelProfile profile) {
        this.profile = profile;
    }

    /** Every kernel these launchers may run. */
    static List<String> kernelNames() {
        List<String> names = new ArrayList<>(List.of("rms_norm", "add_bias", "silu_mul", "rope_store", "attention",
                "attention_merge"));
        PREFIX_HEAD_DIMS.stream().sorted().forEach(d -> names.add(prefixKernel(d)));
        for (GgmlType type : WeightLayout.SUPPORTED) {
            names.add("embed_" + typeName(type));
            for (int cols : type.quantized() ? new int[] {32} : new int[] {4, 1}) {
                WeightLayout layout = new WeightLayout(type, 1, cols, 0, 0);
                for (String family : List.of("matmul", "swiglu")) {
                    names.add(kernelName(family, layout, 1));
                    names.add(kernelName(family, layout, MATMUL_ROW_TILE));
                    if (TC_TYPES.contains(type)) {
                        names.add(tensorCoreKernel(family, type, 1));
                        names.add(tensorCoreKernel(family, type, TC_TILES));
                    }
                }
            }
        }
        return names;
    }

    /** x[r] = row tokens[r] of {@code w} dequantized: tokens (n) ints, x (n, w.cols) floats. */
    void embed(DeviceWeight w, long tokens, long x, int n) {
        Kernel k = module.kernel("embed_" + typeName(w.layout().type()));
        args.clear().ptr(w.data()).ptr(w.scales()).ptr(tokens).ptr(x).i32(w.cols());
        launch(k, n, 1, ROW_THREADS, 0);
    }

    /**
     * out[r] = rmsNorm(x[rowMap[r]] or x[r]) * weight: x (*, dim), rowMap (rows) ints or 0, out (rows, dim).
     */
    void rmsNorm(long x, long rowMap, long weight, long out, int rows, int dim, float eps) {
        args.clear().ptr(x).ptr(rowMap).ptr(weight).ptr(out).i32(dim).f32(eps);
        launch(module.kernel("rms_norm"), rows, 1, ROW_THREADS, 0);
    }

    /** y = x w^T: x (n, w.cols), y (n, w.rows). Row r's result does not depend on n or the other rows. */
    void matmul(DeviceWeight w, long x, int n, long y) {
        matmuls(new DeviceWeight[] {w}, new long[] {y}, x, n, false);
    }

    /** y += x w^T, rounded as the CPU's {@code y + (x w^T)}: the residual add fused into the projection. */
    void matmulAdd(DeviceWeight w, long x, int n, long y) {
        matmuls(new DeviceWeight[] {w}, new long[] {y}, x, n, true);
    }

    /**
     * q = x wq^T, k = x wk^T, v = x wv^T: one launch when the three share format and width (as in
     * every llama file), else three; the results are the same bits either way.
     */
    void matmulQkv(DeviceWeight wq, DeviceWeight wk, DeviceWeight wv, long x, int n, long q, long k, long v) {
        if (sameKernel(wq, wk) && sameKernel(wq, wv)) {
            matmuls(new DeviceWeight[] {wq, wk, wv}, new long[] {q, k, v}, x, n, false);
        } else {
            matmul(wq, x, n, q);
            matmul(wk, x, n, k);
            matmul(wv, x, n, v);
        }
    }

    /**
     * h = silu(x gate^T) * (x up^T): h (n, gate.rows). One fused launch when gate and up share format
     * and width, else two projections and {@code silu_mul} through {@code scratch} (n, up.rows); the
     * results are the same bits either way.
     */
    void swiglu(DeviceWeight gate, DeviceWeight up, long x, int n, long h, long scratch) {
        if (!sameKernel(gate, up)) {
            matmul(gate, x, n, h);
            matmul(up, x, n, scratch);
            siluMul(h, scratch, (long) n * gate.rows());
            return;
        }
        args.clear().ptr(gate.data()).ptr(gate.scales()).ptr(up.data()).ptr(up.scales()).ptr(h).i32(gate.rows())
                .ptr(x).i32(n).i32(gate.cols());
        if (onTensorCores(gate)) {
            int tiles = tensorCoreTiles(n);
            launch(module.kernel(tensorCoreKernel("swiglu", gate.layout().type(), tiles)), gate,
                    (n + 8 * tiles - 1) / (8 * tiles), gridY((gate.rows() + TC_ROWS - 1) / TC_ROWS, 1,
                    gate.name()), 32 * TC_WARPS, 0);
            return;
        }
        int tile = rowTile(n);
        launch(module.kernel(kernelName("swiglu", gate.layout(), tile)), gate, (n + tile - 1) / tile,
                gridY(gate.rows(), MATMUL_WARPS, gate.name()), 32 * MATMUL_WARPS, 0);
    }

    private void matmuls(DeviceWeight[] ws, long[] ys, long x, int n, boolean accumulate) {
        int outputs = 0;
        int groups = 0; // of 16 outputs, per matrix
        args.clear();
        for (int i = 0; i < 3; i++) {
            if (i < ws.length) {
                args.ptr(ws[i].data()).ptr(ws[i].scales()).ptr(ys[i]).i32(ws[i].rows());
                outputs += ws[i].rows();
                groups += (ws[i].rows() + TC_ROWS - 1) / TC_ROWS;
            } else {
                args.ptr(0).ptr(0).ptr(0).i32(0);
            }
        }
        args.ptr(x).i32(n).i32(ws[0].cols()).i32(accumulate ? 1 : 0);
        if (onTensorCores(ws[0])) {
            int tiles = tensorCoreTiles(n);
            launch(module.kernel(tensorCoreKernel("matmul", ws[0].layout().type(), tiles)), ws[0],
                    (n + 8 * tiles - 1) / (8 * tiles), gridY(groups, 1, ws[0].name()), 32 * TC_WARPS, 0);
            return;
        }
        int tile = rowTile(n);
        launch(module.kernel(kernelName("matmul", ws[0].layout(), tile)), ws[0], (n + tile - 1) / tile,
                gridY(outputs, MATMUL_WARPS, ws[0].name()), 32 * MATMUL_WARPS, 0);
    }

    private boolean onTensorCores(DeviceWeight w) {
        return tensorCores && TC_TYPES.contains(w.layout().type());
    }

    /** 8-row tiles per warp: 1 up to 8 rows, else 4. A row's result is the same in either kernel. */
    private static int tensorCoreTiles(int n) {
        return n <= 8 ? 1 : TC_TILES;
    }

    /** A tensor-core kernel: e.g. {@code matmul_tc_q8_0_n4}. */
    static String tensorCoreKernel(String family, GgmlType type, int tiles) {
        return family + "_tc_" + typeName(type) + "_n" + tiles;
    }

    private static boolean sameKernel(DeviceWeight a, DeviceWeight b) {
        return a.layout().type() == b.layout().type() && a.cols() == b.cols();
    }

    private static int rowTile(int n) {
        return n == 1 ? 1 : MATMUL_ROW_TILE;
    }

    /** Blocks in y for {@code units} (outputs, or groups of 16 outputs) at {@code perBlock} a block. */
    private static int gridY(int units, int perBlock, String name) {
        int blocks = (units + perBlock - 1) / perBlock;
        if (blocks > MAX_GRID_Y) {
            throw new IllegalArgumentException("Cannot multiply by " + name + ": " + units + " output units exceed "
                    + "the kernels' limit of " + (MAX_GRID_Y * perBlock));
        }
        return blocks;
    }

    /** The kernel of a family ({@code matmul}, {@code swiglu}) for a layout and row tile: e.g. {@code matmul_q8_0_c16_r8}. */
    static String kernelName(String family, WeightLayout layout, int rowTile) {
        String chunk = switch (layout.type()) {
            case Q8_0 -> "c16";
            case Q4_0, Q4_K, Q5_K, Q6_K -> "c32";
            default -> layout.cols() % 4 == 0 ? "c4" : "c1";
        };
        return family + "_" + typeName(layout.type()) + "_" + chunk + "_r" + rowTile;
    }

    /** y[r] += bias: y (rows, width), bias (width). */
    void addBias(long y, long bias, int rows, int width) {
        args.clear().ptr(y).ptr(bias).i32(rows).i32(width);
        launch(module.kernel("add_bias"), elementwiseBlocks((long) rows * width), 1, ELEMENTWISE_THREADS, 0);
    }

    /** gate = silu(gate) * up over {@code count} floats. */
    void siluMul(long gate, long up, long count) {
        args.clear().ptr(gate).ptr(up).i64(count);
        launch(module.kernel("silu_mul"), elementwiseBlocks(count), 1, ELEMENTWISE_THREADS, 0);
    }

    /**
     * Rotates q (n, qDim) and k (n, kvDim) by each row's position, then stores k and v (n, kvDim) in the
     * cache at that position. positions and rowTable (n) ints; tables: the flat block tables.
     */
    void ropeStore(ModelConfig c, StepLayout step, long q, long k, long v, long freqs, long kCache, long vCache,
                   int blockSize) {
        args.clear().ptr(q).ptr(k).ptr(v).ptr(step.positions()).ptr(step.rowTables()).ptr(step.tables()).ptr(freqs)
                .ptr(kCache).ptr(vCache).i32(c.heads()).i32(c.kvHeads()).i32(c.headDim()).i32(c.ropeDim())
                .i32(c.ropeStyle() == RopeStyle.NEOX ? 1 : 0).i32(blockSize);
        launch(module.kernel("rope_store"), step.rows(), 1, ROW_THREADS, 0);
    }

    /**
     * att[r, h] = attention of q[r, h] over positions 0..pos(r) of row r's sequence: q and att (n, qDim).
     * In a step with shared-prefix groups, each grouped row's positions below its prefix end come from
     * {@code partials} (n, heads, PREFIX_SPLITS, headDim + 2), written by {@link #attentionPrefix} just before.
     */
    void attention(ModelConfig c, StepLayout step, long q, long kCache, long vCache, long att, int blockSize,
                   long partials) {
        boolean merge = step.inputs().groups() > 0;
        int sharedBytes = Float.BYTES * (c.headDim() + attentionPositions(step.maxPosition(), c.headDim()));
        args.clear().ptr(q).ptr(kCache).ptr(vCache).ptr(step.positions()).ptr(step.rowTables()).ptr(step.tables())
                .ptr(att).i32(c.heads()).i32(c.kvHeads()).i32(c.headDim()).i32(blockSize).f32(scale(c));
        if (merge) {
            args.ptr(step.prefixEnd()).ptr(partials).i32(PREFIX_SPLITS);
        }
        launch(module.kernel(merge ? "attention_merge" : "attention"), c.heads(), step.rows(), ATTENTION_THREADS,
                sharedBytes);
    }

    /**
     * The shared half of shared-prefix attention: for each group of the step ({@link SharedPrefixes}), its
     * rows' queries attend together over the group's shared positions, each K/V read once per group,
     * the positions cut into {@link #PREFIX_SPLITS} runs; writes {m, l, acc} per (row, head, run) to
     * {@code partials} (n, heads, PREFIX_SPLITS, headDim + 2). One CUDA block row per possible group (the
     * step's row count), so one graph fits every grouping of a step shape.
     */
    void attentionPrefix(ModelConfig c, StepLayout step, long q, long kCache, long vCache, long partials,
                         int blockSize) {
        args.clear().ptr(q).ptr(kCache).ptr(vCache).ptr(step.groups()).ptr(step.members()).ptr(step.tables())
                .ptr(partials).i32(c.heads()).i32(c.kvHeads()).i32(blockSize).f32(scale(c));
        launch(module.kernel(prefixKernel(c.headDim())), null, c.kvHeads(), step.rows(), PREFIX_SPLITS,
                PREFIX_THREADS, prefixSharedBytes(c.headDim()));
    }

    /**
     * Rows one shared-prefix group may hold for this model: as many as leave one thread per query head
     * of a KV head; 0 where the head width has no shared-prefix kernel.
     */
    static int maxGroupRows(ModelConfig c) {
        return PREFIX_HEAD_DIMS.contains(c.headDim()) ? PREFIX_THREADS / (c.heads() / c.kvHeads()) : 0;
    }

    private static String prefixKernel(int headDim) {
        return "attention_prefix_d" + headDim;
    }

    /** Queries (headDim, threads) and one tile of keys and values (PREFIX_TILE, headDim) each, in floats. */
    private static int prefixSharedBytes(int headDim) {
        return Float.BYTES * headDim * (PREFIX_THREADS + 2 * PREFIX_TILE);
    }

    private static float scale(ModelConfig c) {
        return (float) (1.0 / Math.sqrt(c.headDim()));
    }

    /**
     * Score slots the attention kernel gets for positions up to {@code maxPosition}: the next power of
     * two above it (at least 256), so that launches share a few sizes.
     */
    int attentionPositions(int maxPosition, int headDim) {
        int needed = Math.max(256, Integer.highestOneBit(maxPosition) << 1); // > maxPosition
        return Math.min(needed, maxAttentionPositions(headDim));
    }

    /** Positions (exclusive) a row may attend over with {@code headDim}-wide heads, limited by shared memory. */
    int maxAttentionPositions(int headDim) {
        return attentionSharedLimit / Float.BYTES - headDim;
    }

    private static int elementwiseBlocks(long count) {
        return (int) Math.max(1, Math.min((count + ELEMENTWISE_THREADS - 1) / ELEMENTWISE_THREADS, 65535));
    }

    static String typeName(GgmlType type) {
        return switch (type) {
            case F32 -> "f32";
            case F16 -> "f16";
            case BF16 -> "bf16";
            case Q8_0 -> "q8_0";
            case Q4_0 -> "q4_0";
            case Q4_K -> "q4_k";
            case Q5_K -> "q5_k";
            case Q6_K -> "q6_k";
            default -> throw new IllegalArgumentException("Cannot run a CUDA kernel on type " + type
                    + ": supported are " + WeightLayout.SUPPORTED);
        };
    }

    private void launch(Kernel k, int gridX, int gridY, int threads, int sharedBytes) {
        launch(k, null, gridX, gridY, 1, threads, sharedBytes);
    }

    private void launch(Kernel k, DeviceWeight weight, int gridX, int gridY, int threads, int sharedBytes) {
        launch(k, weight, gridX, gridY, 1, threads, sharedBytes);
    }

    /**
     * Queues {@code k} with grid (gridX, gridY, gridZ); a profile names the launch by the kernel and, when it reads
     * one, the {@code weight} without its layer ({@code blk.3.ffn_gate} counts as {@code ffn_gate}).
     */
    private void launch(Kernel k, DeviceWeight weight, int gridX, int gridY, int gridZ, int threads, int sharedBytes) {
        if (profile != null) {
            String label = weight == null ? k.name()
                    : k.name() + " " + weight.name().replaceFirst("^blk\\.\\d+\\.", "");
            profile.time(label, context.stream(),
                    () -> k.launch(context.stream(), gridX, gridY, gridZ, threads, sharedBytes, args));
        } else {
            k.launch(context.stream(), gridX, gridY, gridZ, threads, sharedBytes, args);
        }
        if (checkEachKernel) {
            context.synchronize("run kernel " + k.name());
        }
    }

    @Override
    public void close() {
        args.close();
    }
}
