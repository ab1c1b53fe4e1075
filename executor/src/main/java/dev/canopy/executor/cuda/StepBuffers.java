package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import dev.canopy.executor.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The GPU activations of a forward step and the pinned host staging of its inputs and logits. Sized
 * for a number of rows and logit rows; {@link #ensure} grows them (at least doubling) when a step needs
 * more, which frees the old buffers.
 */
final class StepBuffers implements AutoCloseable {

    private final CudaContext context;
    private final ModelConfig c;
    private final boolean sharedPrefixes;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private int rowCapacity;
    private int logitCapacity;
    private int intCapacity;
    private int generation; // counts reallocations: graphs recorded with older buffers are stale

    DeviceBuffer x;      // (rows, dim) residual stream
    DeviceBuffer xb;     // (rows, dim) normed input of a sub-layer
    DeviceBuffer q;      // (rows, qDim)
    DeviceBuffer k;      // (rows, kvDim)
    DeviceBuffer v;      // (rows, kvDim)
    DeviceBuffer att;    // (rows, qDim) attention output
    DeviceBuffer partials; // (rows, heads, PREFIX_SPLITS, headDim + 2) shared-prefix attention partials:
                           // max, sum, output; (1) float without shared-prefix attention
    DeviceBuffer gate;   // (rows, ffn) silu(gate) * up
    DeviceBuffer up;     // (rows, ffn) up, where gate and up cannot be fused
    DeviceBuffer normed; // (logitRows, dim)
    DeviceBuffer logits; // (logitRows, vocab)
    DeviceBuffer ints;   // (intCapacity) the step's StepInputs
    PinnedBuffer hostInts;   // (intCapacity) ints
    PinnedBuffer hostLogits; // (logitRows, vocab) floats

    /** Buffers for {@code config}'s steps; {@code sharedPrefixes}: with room for shared-prefix attention partials. */
    StepBuffers(CudaContext context, ModelConfig config, boolean sharedPrefixes) {
        this.context = context;
        this.c = config;
        this.sharedPrefixes = sharedPrefixes;
    }

    /** Device bytes of the activations for {@code rows} rows and {@code logitRows} logit rows. */
    static long deviceBytes(ModelConfig c, int rows, int logitRows, boolean sharedPrefixes) {
        long perRow = 2L * c.dim() + 2L * c.qDim() + 2L * c.kvDim() + 2L * c.ffn()
                + (sharedPrefixes ? partialsPerRow(c) : 0);
        return Float.BYTES * (rows * perRow + (long) logitRows * (c.dim() + c.vocab()));
    }

    /** Makes room for a step of {@code rows} rows, {@code logitRows} logit rows and {@code intCount} input ints. */
    void ensure(int rows, int logitRows, int intCount) {
        if (rows > rowCapacity || logitRows > logitCapacity || intCount > intCapacity) {
            int r = Math.max(rows, rowCapacity == 0 ? rows : 2 * rowCapacity);
            int m = Math.max(Math.max(logitRows, 1), logitRows > logitCapacity ? 2 * logitCapacity : logitCapacity);
            int i = Math.max(intCount, intCount > intCapacity ? 2 * intCapacity : intCapacity);
            allocate(r, m, i);
        }
    }

    private void allocate(int rows, int logitRows, int intCount) {
        close();
        generation++;
        rowCapacity = rows;
        logitCapacity = logitRows;
        intCapacity = intCount;
        x = device(rows, c.dim(), "activations x");
        xb = device(rows, c.dim(), "activations xb");
        q = device(rows, c.qDim(), "activations q");
        k = device(rows, c.kvDim(), "activations k");
        v = device(rows, c.kvDim(), "activations v");
        att = device(rows, c.qDim(), "activations att");
        partials = sharedPrefixes ? device(rows, partialsPerRow(c), "shared-prefix attention partials")
                : device(1, 1, "shared-prefix attention partials (unused)");
        gate = device(rows, c.ffn(), "activations gate");
        up = device(rows, c.ffn(), "activations up");
        normed = device(logitRows, c.dim(), "final norm");
        logits = device(logitRows, c.vocab(), "logits");
        ints = device(1, intCount, "step inputs");
        hostInts = pinned(4L * intCount, "step inputs");
        hostLogits = pinned(4L * logitRows * c.vocab(), "logits");
    }

    private static int partialsPerRow(ModelConfig c) {
        return c.heads() * ForwardKernels.PREFIX_SPLITS * (c.headDim() + 2);
    }

    /** How many times the buffers were (re)allocated. */
    int generation() {
        return generation;
    }

    /** Queues the copy of {@code in} to {@link #ints} and returns where its parts are. */
    StepLayout upload(StepInputs in) {
        hostInts.bytes().asIntBuffer().put(0, in.ints());
        CudaException.check(cuMemcpyHtoDAsync(ints.at(0), hostInts.pointer(), 4L * in.ints().length, context.stream()),
                "copy the step inputs to the GPU");
        return StepLayout.at(ints.address(), in);
    }

    /** Copies the first {@code count} logits back, waiting for the step to finish. */
    float[] downloadLogits(int count) {
        float[] out = new float[count];
        if (count > 0) {
            CudaException.check(cuMemcpyDtoHAsync(hostLogits.pointer(), logits.at(0), 4L * count, context.stream()),
                    "copy the logits from the GPU");
        }
        context.synchronize("finish the forward step on cuda:" + context.info().ordinal());
        hostLogits.bytes().asFloatBuffer().get(0, out);
        return out;
    }

    private DeviceBuffer device(int rows, int width, String purpose) {
        DeviceBuffer b = context.allocate(4L * rows * width, purpose);
        owned.add(b);
        return b;
    }

    private PinnedBuffer pinned(long bytes, String purpose) {
        PinnedBuffer b = new PinnedBuffer(bytes, purpose);
        owned.add(b);
        return b;
    }

    @Override
    public void close() {
        for (AutoCloseable a : owned) {
            try {
                a.close();
            } catch (Exception e) {
                throw new CudaException("Cannot free the step buffers: " + e.getMessage(), 0);
            }
        }
        owned.clear();
        rowCapacity = 0;
        logitCapacity = 0;
        intCapacity = 0;
    }
}
