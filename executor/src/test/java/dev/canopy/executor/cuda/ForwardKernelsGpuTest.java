package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.FloatOps;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Each kernel against the CPU's arithmetic, one at a time, so a failure on the GPU names its kernel. */
@Tag("gpu")
class ForwardKernelsGpuTest {

    private static final int OUT = 37;  // not a multiple of the 8 outputs of a block
    private static final int BATCH = 13; // a full row tile of 8 and a partial one

    private static CudaContext context;
    private static CudaModule module;
    private static ForwardKernels kernels;
    private static ForwardKernels tensorCoreKernels;

    @BeforeAll
    static void open() {
        if (CudaBackend.isAvailable()) {
            context = CudaContext.open(0);
            module = new CudaModule(context);
            kernels = new ForwardKernels(context, module, true, false);
            tensorCoreKernels = new ForwardKernels(context, module, true, true);
        }
    }

    @BeforeEach
    void needsGpu() {
        Gpu.assume();
    }

    @AfterAll
    static void close() {
        if (context != null) {
            kernels.close();
            tensorCoreKernels.close();
            module.close();
            context.close();
        }
    }

    @ParameterizedTest(name = "{0} cols {1} tensor cores {2}")
    @CsvSource({"F32, 172, false", "F32, 170, false", "F16, 172, false", "F16, 170, false", "BF16, 172, false",
            "BF16, 170, false", "Q8_0, 96, false", "Q8_0, 2048, false", "Q4_0, 96, false", "Q4_0, 2048, false",
            "Q8_0, 96, true", "Q8_0, 2048, true", "Q4_0, 96, true", "Q4_0, 2048, true", "Q4_K, 256, false",
            "Q4_K, 2048, false", "Q5_K, 512, false", "Q6_K, 256, false", "Q6_K, 2048, false",
            "Q4_K, 2048, true", "Q6_K, 512, true"}) // K-quants with tensor cores on run the fp32 kernels
    void matmulIsNearTheExactProductAndEachRowIsTheSameAloneOrBatched(GgmlType type, int cols, boolean onTensorCores) {
        ForwardKernels k = onTensorCores ? tensorCoreKernels : kernels;
        Tensor t = WeightLayoutTest.tensor(type, OUT, cols, cols);
        float[] w = Dequant.toFloats(t); // (OUT, cols)
        float[] x = random(BATCH * cols, 5); // (BATCH, cols)
        try (DeviceWeight dw = DeviceWeight.upload(context, t);
             DeviceBuffer dx = context.allocate(4L * x.length, "x");
             DeviceBuffer dy = context.allocate(4L * BATCH * OUT, "y")) {
            dx.upload(0, x);
            k.matmul(dw, dx.address(), BATCH, dy.address());
            float[] batched = download(context, dy, BATCH * OUT);
            // fp32: the rounding bound of a sum of cols products, scaled once; tensor cores: x kept to
            // about 2^-17 by the hi/lo split, plus the accumulation of cols products
            boolean tensorCoreKernel = onTensorCores && ForwardKernels.TC_TYPES.contains(type);
            assertNearExactProduct(batched, w, x, cols,
                    tensorCoreKernel ? 0x1p-16 + (cols + 4) * 0x1p-22 : (cols + 4) * 0x1p-24);
            for (int r = 0; r < BATCH; r++) {
                k.matmul(dw, dx.address(4L * r * cols), 1, dy.address());
                assertThat(download(context, dy, OUT)).as("row %d alone vs in a batch of %d", r, BATCH)
                        .containsExactly(Arrays.copyOfRange(batched, r * OUT, (r + 1) * OUT));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void embeddingRowsAreBitForBitTheDequantizedRows(GgmlType type) {
        int dim = type.blockSize() == 256 ? 512 : 64;
        Tensor t = WeightLayoutTest.tensor(type, OUT, dim, 3);
        int[] tokens = {5, 0, 36, 5};
        try (DeviceWeight dw = DeviceWeight.upload(context, t);
             DeviceBuffer dt = context.allocate(4L * tokens.length, "tokens");
             DeviceBuffer dx = context.allocate(4L * tokens.length * dim, "x")) {
            dt.upload(0, tokens);
            kernels.embed(dw, dt.address(), dx.address(), tokens.length);
            float[] got = download(context, dx, tokens.length * dim);
            float[] expected = new float[tokens.length * dim]; // (tokens, dim)
            for (int i = 0; i < tokens.length; i++) {
                Dequant.row(t, tokens[i], expected, i * dim);
            }
            assertThat(got).containsExactly(expected);
        }
    }

    @Test
    void rmsNormMatchesTheCpuAndReadsRowsThroughTheRowMap() {
        int dim = 300;
        float[] x = random(4 * dim, 8); // (4, dim)
        float[] weight = random(dim, 9);
        int[] rowMap = {3, 1};
        try (DeviceBuffer dx = context.allocate(4L * x.length, "x");
             DeviceBuffer dw = context.allocate(4L * dim, "weight");
             DeviceBuffer dm = context.allocate(8, "rowMap");
             DeviceBuffer dout = context.allocate(4L * x.length, "out")) {
            dx.upload(0, x);
            dw.upload(0, weight);
            dm.upload(0, rowMap);
            kernels.rmsNorm(dx.address(), 0, dw.address(), dout.address(), 4, dim, 1e-5f);
            assertRowsNormed(download(context, dout, 4 * dim), x, weight, new int[] {0, 1, 2, 3}, dim);
            kernels.rmsNorm(dx.address(), dm.address(), dw.address(), dout.address(), 2, dim, 1e-5f);
            assertRowsNormed(download(context, dout, 2 * dim), x, weight, rowMap, dim);
        }
    }

    private static void assertRowsNormed(float[] got, float[] x, float[] weight, int[] rows, int dim) {
        float[] expected = new float[rows.length * dim]; // (rows, dim)
        for (int i = 0; i < rows.length; i++) {
            FloatOps.rmsNorm(expected, i * dim, x, rows[i] * dim, weight, dim, 1e-5f);
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat(got[i]).as("element %d", i).isCloseTo(expected[i], within(2e-6f * Math.abs(expected[i]) + 1e-30f));
        }
    }

    @Test
    void siluMulIsBitForBitTheCpus() {
        float[] gate = random(4096, 11);
        float[] up = random(4096, 12);
        for (int i = 0; i < gate.length; i++) {
            gate[i] *= 40; // reaches both clamps of the exponential
        }
        try (DeviceBuffer dg = context.allocate(4L * gate.length, "gate");
             DeviceBuffer du = context.allocate(4L * up.length, "up")) {
            dg.upload(0, gate);
            du.upload(0, up);
            kernels.siluMul(dg.address(), du.address(), gate.length);
            FloatOps.siluMul(gate, 0, up, 0, gate.length);
            assertThat(download(context, dg, gate.length)).containsExactly(gate);
        }
    }

    @Test
    void biasIsAnExactSum() {
        float[] a = random(1000, 1);
        float[] bias = random(100, 3);
        try (DeviceBuffer da = context.allocate(4000, "a");
             DeviceBuffer dbias = context.allocate(400, "bias")) {
            da.upload(0, a);
            dbias.upload(0, bias);
            kernels.addBias(da.address(), dbias.address(), 10, 100);
            float[] expected = new float[1000]; // (10, 100)
            for (int i = 0; i < 1000; i++) {
                expected[i] = a[i] + bias[i % 100];
            }
            assertThat(download(context, da, 1000)).containsExactly(expected);
        }
    }

    @ParameterizedTest(name = "{0} tensor cores {1}")
    @CsvSource({"F32, false", "Q8_0, false", "Q4_0, false", "Q8_0, true", "Q4_0, true", "Q4_K, false",
            "Q5_K, false", "Q6_K, false"})
    void fusedLaunchesGiveTheBitsOfTheSeparateOnes(GgmlType type, boolean onTensorCores) {
        ForwardKernels kernels = onTensorCores ? tensorCoreKernels : ForwardKernelsGpuTest.kernels;
        boolean superBlocks = type.blockSize() == 256;
        int cols = superBlocks ? 256 : 128;
        int residualCols = superBlocks ? 256 : 32;
        int ffn = 24;
        Tensor[] t = new Tensor[6]; // q, k, v (outputs 16, 8, 8), gate, up (ffn), down (cols from ffn)
        int[] outs = {16, 8, 8, ffn, ffn};
        for (int i = 0; i < 5; i++) {
            t[i] = WeightLayoutTest.tensor(type, outs[i], cols, 100 + i);
        }
        t[5] = WeightLayoutTest.tensor(type, 40, residualCols, 106); // a residual projection: (40, residualCols)
        float[] x = random(BATCH * cols, 7); // (BATCH, cols)
        float[] residual = random(BATCH * 40, 8); // (BATCH, 40)
        DeviceWeight[] w = new DeviceWeight[6];
        try (DeviceBuffer dx = context.allocate(4L * x.length, "x");
             DeviceBuffer fused = context.allocate(4L * BATCH * 64, "fused");
             DeviceBuffer apart = context.allocate(4L * BATCH * 64, "apart");
             DeviceBuffer scratch = context.allocate(4L * BATCH * ffn, "scratch")) {
            for (int i = 0; i < 6; i++) {
                w[i] = DeviceWeight.upload(context, t[i]);
            }
            dx.upload(0, x);
            long q = 0;
            long k = 4L * BATCH * 16;
            long v = k + 4L * BATCH * 8;
            kernels.matmulQkv(w[0], w[1], w[2], dx.address(), BATCH, fused.address(q), fused.address(k), fused.address(v));
            kernels.matmul(w[0], dx.address(), BATCH, apart.address(q));
            kernels.matmul(w[1], dx.address(), BATCH, apart.address(k));
            kernels.matmul(w[2], dx.address(), BATCH, apart.address(v));
            assertThat(download(context, fused, BATCH * 32)).as("q, k, v in one launch")
                    .containsExactly(download(context, apart, BATCH * 32));

            kernels.swiglu(w[3], w[4], dx.address(), BATCH, fused.address(), 0);
            kernels.matmul(w[3], dx.address(), BATCH, apart.address());
            kernels.matmul(w[4], dx.address(), BATCH, scratch.address());
            float[] gate = download(context, apart, BATCH * ffn);
            float[] up = download(context, scratch, BATCH * ffn);
            kernels.siluMul(apart.address(), scratch.address(), (long) BATCH * ffn);
            float[] separate = download(context, apart, BATCH * ffn);
            FloatOps.siluMul(gate, 0, up, 0, gate.length);
            assertThat(separate).as("silu_mul of the two projections, as the CPU computes it").containsExactly(gate);
            assertThat(download(context, fused, BATCH * ffn)).as("SwiGLU in one launch").containsExactly(separate);

            fused.upload(0, residual);
            // w[5] reads the first BATCH * residualCols floats of x as a (BATCH, residualCols) input
            kernels.matmulAdd(w[5], dx.address(), BATCH, fused.address());
            kernels.matmul(w[5], dx.address(), BATCH, apart.address());
            float[] proj = download(context, apart, BATCH * 40);
            for (int i = 0; i < proj.length; i++) {
                residual[i] += proj[i];
            }
            assertThat(download(context, fused, BATCH * 40)).as("residual + projection").containsExactly(residual);
        } finally {
            for (DeviceWeight dw : w) {
                if (dw != null) {
                    dw.close();
                }
            }
        }
    }

    @Test
    void aRefusedLaunchNamesTheKernelAndCudasError() {
        Kernel k = module.kernel("rms_norm");
        try (KernelArgs args = new KernelArgs()) {
            args.ptr(0).ptr(0).ptr(0).ptr(0).i32(1).f32(1f);
            assertThatThrownBy(() -> k.launch(context.stream(), 1, 1, 2048, 0, args)) // over 1024 threads
                    .isInstanceOf(CudaException.class)
                    .hasMessageStartingWith("Cannot run kernel rms_norm: CUDA_ERROR_INVALID_VALUE");
        }
    }

    /** Every y[r, o] is within {@code relative} of Σ|w x| from the exact Σ w x. y (BATCH, OUT). */
    private static void assertNearExactProduct(float[] y, float[] w, float[] x, int cols, double relative) {
        for (int r = 0; r < BATCH; r++) {
            for (int o = 0; o < OUT; o++) {
                double exact = 0;
                double magnitude = 0;
                for (int c = 0; c < cols; c++) {
                    exact += (double) w[o * cols + c] * x[r * cols + c];
                    magnitude += Math.abs((double) w[o * cols + c] * x[r * cols + c]);
                }
                assertThat((double) y[r * OUT + o]).as("row %d output %d", r, o)
                        .isCloseTo(exact, within(relative * magnitude + 1e-30));
            }
        }
    }

    /**
     * Waits for {@code context}'s kernels, then copies {@code count} floats of {@code b}. The context is
     * the caller's own: each test class opens and closes its own, so none may use another's.
     */
    static float[] download(CudaContext context, DeviceBuffer b, int count) {
        context.synchronize("finish the test kernels");
        float[] out = new float[count];
        b.download(0, out);
        return out;
    }

    static float[] random(int n, long seed) {
        Random random = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        return v;
    }
}
