package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuFuncGetAttribute;
import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuOccupancyMaxActiveBlocksPerMultiprocessor;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;

import dev.canopy.executor.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import java.util.function.IntConsumer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;

/**
 * The GPU half of the GEMV lab: main's kernels and the lab's ({@value #LAB_FATBIN}) in one context, random weights
 * of a shape on the device ({@link Workspace}), one variant's outputs, its time per call, its resources.
 */
final class GemvBench implements AutoCloseable {

    static final String LAB_FATBIN = "/cuda/gemv-lab.fatbin";
    private static final int THREADS = 256;       // the quantize and fill kernels' blocks, main's matmul blocks
    private static final int FILL_BLOCKS = 4096;
    private static final int NAN_BITS = 0x7FC00000; // y before a call: an output never written stays NaN

    private final CudaContext context;
    private final CudaModule main;
    private final CudaModule lab;
    private final KernelArgs args = new KernelArgs();

    GemvBench(CudaContext context) {
        this.context = context;
        this.main = new CudaModule(context);
        try {
            this.lab = new CudaModule(context, LAB_FATBIN);
        } catch (RuntimeException e) {
            main.close();
            throw e;
        }
        // every kernel looked up now (not while a graph is captured): a missing one fails here, naming it
        GemvVariant.all().forEach(v -> module(v).kernel(v.kernel()));
        GemvVariant.helperKernels().forEach(lab::kernel);
    }

    private CudaModule module(GemvVariant v) {
        return v.kind() == GemvVariant.Kind.BASELINE ? main : lab;
    }

    /** One shape's device data: {@code copies} random weight images, x and its int8 form, y. */
    final class Workspace implements AutoCloseable {
        final GemvShape shape;
        final int copies;
        final float[] hostX; // (cols) in [-1, 1)
        private final DeviceBuffer weights; // (copies) images of shape.imageBytes(): quants, scales at scalesOffset
        private final DeviceBuffer x;       // (cols) floats
        private final DeviceBuffer xq;      // (cols) int8
        private final DeviceBuffer xd;      // (cols / 32) floats: x's block scales
        private final DeviceBuffer xsum;    // (cols / 32) ints: sums of xq over each block
        private final DeviceBuffer y;       // (rows) floats

        private Workspace(GemvShape shape, int copies, long seed) {
            this.shape = shape;
            this.copies = copies;
            hostX = new float[shape.cols()];
            Random random = new Random(seed);
            for (int i = 0; i < hostX.length; i++) {
                hostX[i] = 2 * random.nextFloat() - 1;
            }
            DeviceBuffer[] made = new DeviceBuffer[6];
            try {
                made[0] = context.allocate(copies * shape.imageBytes(), "GEMV lab weights, " + shape.describe());
                made[1] = context.allocate(4L * shape.cols(), "GEMV lab x");
                made[2] = context.allocate(shape.cols(), "GEMV lab x as int8");
                made[3] = context.allocate(shape.cols() / 8, "GEMV lab x block scales");
                made[4] = context.allocate(shape.cols() / 8, "GEMV lab x block sums");
                made[5] = context.allocate(4L * shape.rows(), "GEMV lab y");
            } catch (RuntimeException e) {
                Arrays.stream(made).filter(b -> b != null).forEach(DeviceBuffer::close);
                throw e;
            }
            weights = made[0];
            x = made[1];
            xq = made[2];
            xd = made[3];
            xsum = made[4];
            y = made[5];
            x.upload(0, hostX);
            fill((int) seed);
        }

        private void fill(int seed) {
            args.clear().ptr(weights.address()).i64(weights.bytes() / 4).i32(seed);
            lab.kernel("gemv_fill_words").launch(context.stream(), FILL_BLOCKS, 1, THREADS, 0, args);
            for (int c = 0; c < copies; c++) {
                args.clear().ptr(scales(c)).i64(shape.scaleBytes() / 2).i32(seed + c);
                lab.kernel("gemv_fill_scales").launch(context.stream(), FILL_BLOCKS, 1, THREADS, 0, args);
            }
            context.synchronize("fill the GEMV lab weights of " + shape.describe());
        }

        private long quants(int copy) {
            return weights.address((long) copy * shape.imageBytes());
        }

        private long scales(int copy) {
            return quants(copy) + shape.scalesOffset();
        }

        @Override
        public void close() {
            for (DeviceBuffer b : new DeviceBuffer[] {weights, x, xq, xd, xsum, y}) {
                b.close();
            }
        }
    }

    /** Random weights of {@code shape} in {@code copies} images, and a random x, from {@code seed}. */
    Workspace load(GemvShape shape, int copies, long seed) {
        return new Workspace(shape, copies, seed);
    }

    /** Queues one call of {@code v} on weight image {@code copy}: y = W x (the dp4a kinds quantize x first). */
    void enqueue(GemvVariant v, Workspace w, int copy) {
        int rows = w.shape.rows();
        int cols = w.shape.cols();
        int blocks = (rows + v.outputsPerBlock() - 1) / v.outputsPerBlock();
        switch (v.kind()) {
            case BASELINE -> {
                args.clear().ptr(w.quants(copy)).ptr(w.scales(copy)).ptr(w.y.address()).i32(rows);
                for (int unused = 0; unused < 2; unused++) {
                    args.ptr(0).ptr(0).ptr(0).i32(0);
                }
                args.ptr(w.x.address()).i32(1).i32(cols).i32(0); // x, n, cols, accumulate
                main.kernel(v.kernel()).launch(context.stream(), 1, blocks, v.threads(), 0, args);
            }
            case STAGED -> {
                args.clear().ptr(w.quants(copy)).ptr(w.scales(copy)).ptr(w.x.address()).ptr(w.y.address()).i32(rows)
                        .i32(cols);
                lab.kernel(v.kernel()).launch(context.stream(), blocks, 1, v.threads(), v.sharedBytes(cols), args);
            }
            case DP4A -> {
                args.clear().ptr(w.x.address()).ptr(w.xq.address()).ptr(w.xd.address()).ptr(w.xsum.address())
                        .i32(cols);
                lab.kernel("gemv_quantize_x").launch(context.stream(), (cols + THREADS - 1) / THREADS, 1, THREADS, 0,
                        args);
                args.clear().ptr(w.quants(copy)).ptr(w.scales(copy)).ptr(w.xq.address()).ptr(w.xd.address())
                        .ptr(w.xsum.address()).ptr(w.y.address()).i32(rows).i32(cols);
                lab.kernel(v.kernel()).launch(context.stream(), blocks, 1, v.threads(), 0, args);
            }
        }
    }

    /** y after one call of {@code v} on the first weight image ((rows) floats; NaN where never written). */
    float[] outputs(GemvVariant v, Workspace w) {
        CudaException.check(cuMemsetD32Async(w.y.at(0), NAN_BITS, w.shape.rows(), context.stream()),
                "fill the GEMV lab's y with NaN");
        enqueue(v, w, 0);
        context.synchronize("run GEMV variant " + v.kernel() + " on " + w.shape.describe());
        float[] y = new float[w.shape.rows()];
        w.y.download(0, y);
        return y;
    }

    /** GPU µs per call of {@code v}: {@code calls} calls cycling through the weight images in a CUDA graph. */
    double microsPerCall(GemvVariant v, Workspace w, int calls, int trials) {
        return timeGraph(calls, trials, i -> enqueue(v, w, i % w.copies));
    }

    /**
     * The median over {@code trials} replays of a graph of {@code launches} calls of {@code enqueue} (given the
     * call's index), in GPU µs per call; one replay before, untimed.
     */
    double timeGraph(int launches, int trials, IntConsumer enqueue) {
        CUgraphExec exec = capture(launches, enqueue);
        try {
            return time(launches, trials, () -> CudaException.check(cuGraphLaunch(exec, context.stream()),
                    "launch a GEMV lab graph"));
        } finally {
            cuGraphExecDestroy(exec);
        }
    }

    /** As {@link #timeGraph} with every call launched on its own from here. */
    double timeStream(int launches, int trials, IntConsumer enqueue) {
        return time(launches, trials, () -> {
            for (int i = 0; i < launches; i++) {
                enqueue.accept(i);
            }
        });
    }

    private double time(int launches, int trials, Runnable batch) {
        batch.run(); // warm-up
        CUevent[] events = new CUevent[2 * trials];
        try {
            for (int i = 0; i < events.length; i++) {
                events[i] = new CUevent();
                CudaException.check(cuEventCreate(events[i], CUevent_flags.CU_EVENT_DEFAULT), "create a timing event");
            }
            for (int t = 0; t < trials; t++) {
                CudaException.check(cuEventRecord(events[2 * t], context.stream()), "record a timing event");
                batch.run();
                CudaException.check(cuEventRecord(events[2 * t + 1], context.stream()), "record a timing event");
            }
            context.synchronize("run the timed GEMV lab launches");
            double[] micros = new double[trials];
            float[] ms = new float[1];
            for (int t = 0; t < trials; t++) {
                CudaException.check(cuEventElapsedTime(ms, events[2 * t], events[2 * t + 1]), "read a timing event");
                micros[t] = 1000.0 * ms[0] / launches;
            }
            Arrays.sort(micros);
            return micros[trials / 2];
        } finally {
            Arrays.stream(events).filter(e -> e != null).forEach(e -> cuEventDestroy(e));
        }
    }

    private CUgraphExec capture(int launches, IntConsumer enqueue) {
        CudaException.check(cuStreamBeginCapture(context.stream(), CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
                "start capturing a GEMV lab graph");
        CUgraph graph = new CUgraph();
        try {
            for (int i = 0; i < launches; i++) {
                enqueue.accept(i);
            }
        } finally {
            CudaException.check(cuStreamEndCapture(context.stream(), graph), "finish capturing a GEMV lab graph");
        }
        try {
            CUgraphExec exec = new CUgraphExec();
            CudaException.check(cuGraphInstantiate(exec, graph, 0), "instantiate a GEMV lab graph");
            return exec;
        } finally {
            cuGraphDestroy(graph);
        }
    }

    /** The launch floor: {@code gemv_empty} or {@code gemv_tiny} (1 block of 32 threads) as the call. */
    void enqueueFloor(String kernel, Workspace w) {
        args.clear();
        if (kernel.equals("gemv_tiny")) {
            args.ptr(w.y.address());
        }
        lab.kernel(kernel).launch(context.stream(), 1, 1, 32, 0, args);
    }

    /** Registers and spill bytes per thread of {@code v}'s kernel, and its resident warps per SM on {@code cols}. */
    GemvLabReport.KernelStats stats(GemvVariant v, int cols) {
        Kernel k = module(v).kernel(v.kernel());
        int[] regs = new int[1];
        int[] local = new int[1];
        int[] blocks = new int[1];
        CudaException.check(cuFuncGetAttribute(regs, CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS, k.function()),
                "read the registers of " + v.kernel());
        CudaException.check(cuFuncGetAttribute(local, CUfunction_attribute.CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES,
                k.function()), "read the local memory of " + v.kernel());
        CudaException.check(cuOccupancyMaxActiveBlocksPerMultiprocessor(blocks, k.function(), v.threads(),
                v.sharedBytes(cols)), "read the occupancy of " + v.kernel());
        return new GemvLabReport.KernelStats(regs[0], local[0], blocks[0] * v.warps());
    }

    /**
     * The first {@code rows} outputs {@code y} of a call on the first weight image against W x in double on the CPU
     * (the image read back): the largest error as a fraction of the fp32 rounding bound (cols + 4) 2^-24 sum |w x|.
     */
    double cpuErrorRatio(GgmlType type, Workspace w, float[] y, int rows) {
        GemvShape shape = w.shape;
        int cols = shape.cols();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment quants = arena.allocate((long) rows * cols, 16); // the first rows' quant bytes (at most)
            MemorySegment scales = arena.allocate(2L * rows * (cols / 32), 16); // (rows, cols / 32) fp16
            long quantBytes = type == GgmlType.Q8_0 ? (long) rows * cols : (long) rows * cols / 2;
            w.weights.download(0, quants.asSlice(0, quantBytes));
            w.weights.download(shape.scalesOffset(), scales);
            double worst = 0;
            for (int r = 0; r < rows; r++) {
                double exact = 0;
                double magnitude = 0;
                for (int c = 0; c < cols; c++) {
                    double d = Float.float16ToFloat(scales.getAtIndex(ValueLayout.JAVA_SHORT, (long) r * (cols / 32)
                            + c / 32));
                    double p = d * quant(type, quants, (long) r * cols, c) * w.hostX[c];
                    exact += p;
                    magnitude += Math.abs(p);
                }
                worst = Math.max(worst, Math.abs(y[r] - exact) / ((cols + 4) * 0x1p-24 * magnitude));
            }
            return worst;
        }
    }

    /** Weight {@code col} of the row whose first value is at {@code rowStart}, without its scale. */
    private static int quant(GgmlType type, MemorySegment quants, long rowStart, int col) {
        if (type == GgmlType.Q8_0) {
            return quants.get(ValueLayout.JAVA_BYTE, rowStart + col);
        }
        int b = quants.get(ValueLayout.JAVA_BYTE, (rowStart + (col & ~31)) / 2 + (col & 15)) & 0xFF;
        return ((col & 16) != 0 ? b >> 4 : b & 0x0F) - 8;
    }

    @Override
    public void close() {
        args.close();
        lab.close();
        main.close();
    }
}
