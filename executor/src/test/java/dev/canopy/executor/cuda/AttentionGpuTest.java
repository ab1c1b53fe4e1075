package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.ModelConfig;
import dev.canopy.executor.model.RopeStyle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * rope_store then attention, against a plain reference: two sequences in one step, one a prefill of
 * several rows spread over non-contiguous KV blocks, the other a single row, with grouped KV heads.
 * Then shared-prefix attention (attention_prefix, then attention_merge) against the per-row kernel, on
 * a step that has it all: a group larger than one CUDA block holds, a prefill chunk inside a group, a
 * group whose shared length is cut by a diverging table, and rows with no group (whose bits must not
 * change).
 */
@Tag("gpu")
class AttentionGpuTest {

    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 8;
    private static final int BLOCK_SIZE = 4;
    private static final int NUM_BLOCKS = 6;
    private static final int PREFIX_HEADS = 8;
    private static final int PREFIX_KV_HEADS = 2;
    private static final int PREFIX_BLOCK_SIZE = 16;
    private static final int PREFIX_BLOCKS = 200;

    private static CudaContext context;
    private static CudaModule module;
    private static ForwardKernels kernels;

    @BeforeAll
    static void open() {
        if (CudaBackend.isAvailable()) {
            context = CudaContext.open(0);
            module = new CudaModule(context);
            kernels = new ForwardKernels(context, module, true, false);
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
            module.close();
            context.close();
        }
    }

    @ParameterizedTest
    @EnumSource(RopeStyle.class)
    void rotatesStoresAndAttendsLikeTheReference(RopeStyle style) {
        ModelConfig c = new ModelConfig("test", HEADS * HEAD_DIM, 1, HEADS, KV_HEADS, HEAD_DIM, 16, 10, 64, 1e-5f,
                10000f, HEAD_DIM, style, false);
        // sequence 0: rows 0..6 at positions 0..6 in blocks 4, 1; sequence 1: row 7 at position 0 in block 3
        ForwardBatch b = new ForwardBatch(new int[8], new int[] {0, 1, 2, 3, 4, 5, 6, 0},
                new int[] {0, 0, 0, 0, 0, 0, 0, 1}, new int[][] {{4, 1}, {3}}, new int[0]);
        int n = b.rows();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        float[] q = ForwardKernelsGpuTest.random(n * qDim, 1);  // (n, qDim)
        float[] k = ForwardKernelsGpuTest.random(n * kvDim, 2); // (n, kvDim)
        float[] v = ForwardKernelsGpuTest.random(n * kvDim, 3); // (n, kvDim)
        float[] freqs = DeviceModel.ropeFrequencies(c, null);
        StepInputs in = StepInputs.of(b, c.vocab(), NUM_BLOCKS, BLOCK_SIZE, 1024);
        long cacheBytes = 4L * NUM_BLOCKS * BLOCK_SIZE * kvDim;
        try (DeviceBuffer dq = context.allocate(4L * q.length, "q");
             DeviceBuffer dk = context.allocate(4L * k.length, "k");
             DeviceBuffer dv = context.allocate(4L * v.length, "v");
             DeviceBuffer dfreqs = context.allocate(4L * freqs.length, "freqs");
             DeviceBuffer kc = context.allocate(cacheBytes, "keys");
             DeviceBuffer vc = context.allocate(cacheBytes, "values");
             DeviceBuffer ints = context.allocate(4L * in.ints().length, "step");
             DeviceBuffer att = context.allocate(4L * q.length, "att")) {
            dq.upload(0, q);
            dk.upload(0, k);
            dv.upload(0, v);
            dfreqs.upload(0, freqs);
            ints.upload(0, in.ints());
            StepLayout step = StepLayout.at(ints.address(), in);
            kernels.ropeStore(c, step, dq.address(), dk.address(), dv.address(), dfreqs.address(), kc.address(),
                    vc.address(), BLOCK_SIZE);
            kernels.attention(c, step, dq.address(), kc.address(), vc.address(), att.address(), BLOCK_SIZE, 0);

            for (int r = 0; r < n; r++) {
                rotate(q, r * qDim, HEADS, b.positions()[r], freqs, style);
                rotate(k, r * kvDim, KV_HEADS, b.positions()[r], freqs, style);
            }
            assertThat(ForwardKernelsGpuTest.download(context, dq, q.length)).as("rotated q").containsExactly(q);
            float[] keys = ForwardKernelsGpuTest.download(context, kc, (int) (cacheBytes / 4));
            int slotOfRow6 = (1 * BLOCK_SIZE + 2) * kvDim; // position 6 of sequence 0: block 1, slot 2
            for (int i = 0; i < kvDim; i++) {
                assertThat(keys[slotOfRow6 + i]).as("stored key %d", i).isEqualTo(k[6 * kvDim + i]);
            }
            float[] got = ForwardKernelsGpuTest.download(context, att, q.length);
            for (int r = 0; r < n; r++) {
                int first = r == 7 ? 7 : 0; // the rows of the row's own sequence, up to itself
                for (int h = 0; h < HEADS; h++) {
                    double[] expected = attend(q, k, v, r, h, first, qDim, kvDim);
                    for (int d = 0; d < HEAD_DIM; d++) {
                        assertThat((double) got[r * qDim + h * HEAD_DIM + d]).as("row %d head %d dim %d", r, h, d)
                                .isCloseTo(expected[d], within(1e-5));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "head width {0}")
    @ValueSource(ints = {64, 128})
    void sharedPrefixGroupsGetThePerRowResultsAndUngroupedRowsTheSameBits(int headDim) {
        ModelConfig c = new ModelConfig("test", PREFIX_HEADS * headDim, 1, PREFIX_HEADS, PREFIX_KV_HEADS, headDim, 16,
                10, 4096, 1e-5f, 10000f, headDim, RopeStyle.NORMAL, false);
        ForwardBatch b = mixedStep();
        int n = b.rows();
        int maxGroupRows = ForwardKernels.maxGroupRows(c);
        assertThat(maxGroupRows).isEqualTo(32);
        StepInputs alone = StepInputs.of(b, c.vocab(), PREFIX_BLOCKS, PREFIX_BLOCK_SIZE, 4096);
        StepInputs grouped = StepInputs.of(b, c.vocab(), PREFIX_BLOCKS, PREFIX_BLOCK_SIZE, 4096, maxGroupRows);
        assertThat(grouped.groups()).as("36 decode rows + 5 prefill rows in 2 groups, 4 rows in 1").isEqualTo(3);
        float[] q = ForwardKernelsGpuTest.random(n * c.qDim(), 1); // (n, qDim)
        int slots = PREFIX_BLOCKS * PREFIX_BLOCK_SIZE * c.kvDim();
        try (DeviceBuffer dq = context.allocate(4L * q.length, "q");
             DeviceBuffer kc = context.allocate(4L * slots, "keys");
             DeviceBuffer vc = context.allocate(4L * slots, "values");
             DeviceBuffer aloneInts = context.allocate(4L * alone.ints().length, "step alone");
             DeviceBuffer groupedInts = context.allocate(4L * grouped.ints().length, "step grouped");
             DeviceBuffer partials = context.allocate(4L * n * PREFIX_HEADS * ForwardKernels.PREFIX_SPLITS
                     * (headDim + 2), "partials");
             DeviceBuffer att = context.allocate(4L * q.length, "att")) {
            dq.upload(0, q);
            kc.upload(0, ForwardKernelsGpuTest.random(slots, 2));
            vc.upload(0, ForwardKernelsGpuTest.random(slots, 3));
            aloneInts.upload(0, alone.ints());
            groupedInts.upload(0, grouped.ints());

            StepLayout perRow = StepLayout.at(aloneInts.address(), alone);
            kernels.attention(c, perRow, dq.address(), kc.address(), vc.address(), att.address(), PREFIX_BLOCK_SIZE,
                    0);
            float[] expected = ForwardKernelsGpuTest.download(context, att, q.length);

            StepLayout shared = StepLayout.at(groupedInts.address(), grouped);
            kernels.attentionPrefix(c, shared, dq.address(), kc.address(), vc.address(), partials.address(),
                    PREFIX_BLOCK_SIZE);
            kernels.attention(c, shared, dq.address(), kc.address(), vc.address(), att.address(), PREFIX_BLOCK_SIZE,
                    partials.address());
            float[] got = ForwardKernelsGpuTest.download(context, att, q.length);

            int[] prefixEnd = new int[n];
            System.arraycopy(grouped.ints(), grouped.prefixEndOffset(), prefixEnd, 0, n);
            for (int r = 0; r < n; r++) {
                for (int i = r * c.qDim(); i < (r + 1) * c.qDim(); i++) {
                    if (prefixEnd[r] == 0) {
                        assertThat(got[i]).as("row %d (no group) element %d", r, i).isEqualTo(expected[i]);
                    } else {
                        assertThat(got[i]).as("row %d (prefix %d) element %d", r, prefixEnd[r], i)
                                .isCloseTo(expected[i], within(1e-5f));
                    }
                }
            }
        }
    }

    /**
     * Sequences 0..35 share blocks 0..4 (80 positions) and decode at positions 80..115; sequence 36 shares
     * them too and prefills positions 90..94; sequences 37..39 share blocks 100, 101 and sequence 40
     * only block 100 (so that group shares 16 positions); sequence 41 is alone.
     */
    private static ForwardBatch mixedStep() {
        List<int[]> tables = new ArrayList<>();
        List<int[]> rows = new ArrayList<>(); // {sequence, position}
        int next = 20;
        for (int s = 0; s < 37; s++) {
            int[] table = new int[8];
            for (int j = 0; j < 8; j++) {
                table[j] = j < 5 ? j : next++;
            }
            tables.add(table);
            if (s < 36) {
                rows.add(new int[] {s, 80 + s});
            }
        }
        for (int p = 90; p < 95; p++) {
            rows.add(new int[] {36, p});
        }
        tables.add(new int[] {150, 151, 152, 153});
        tables.add(new int[] {150, 151, 154, 155});
        tables.add(new int[] {150, 151, 156});
        tables.add(new int[] {150, 157, 158});
        int[] positions = {50, 61, 40, 33};
        for (int i = 0; i < 4; i++) {
            rows.add(new int[] {37 + i, positions[i]});
        }
        tables.add(new int[] {170, 171});
        rows.add(new int[] {41, 20});
        int n = rows.size();
        int[] tokens = new int[n];
        int[] pos = new int[n];
        int[] seq = new int[n];
        for (int r = 0; r < n; r++) {
            seq[r] = rows.get(r)[0];
            pos[r] = rows.get(r)[1];
        }
        return new ForwardBatch(tokens, pos, seq, tables.toArray(new int[0][]), new int[0]);
    }

    /** Rope.apply's arithmetic. */
    private static void rotate(float[] x, int off, int heads, int pos, float[] freqs, RopeStyle style) {
        int half = HEAD_DIM / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                float angle = pos * freqs[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                int i0 = off + h * HEAD_DIM + (style == RopeStyle.NORMAL ? 2 * i : i);
                int i1 = style == RopeStyle.NORMAL ? i0 + 1 : i0 + half;
                float v0 = x[i0];
                float v1 = x[i1];
                x[i0] = v0 * c - v1 * s;
                x[i1] = v0 * s + v1 * c;
            }
        }
    }

    /** Softmax attention of row r's head h over rows first..r, in double. */
    private static double[] attend(float[] q, float[] k, float[] v, int r, int h, int first, int qDim, int kvDim) {
        int kvHead = h / (HEADS / KV_HEADS);
        double[] scores = new double[r - first + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = first; j <= r; j++) {
            double s = 0;
            for (int d = 0; d < HEAD_DIM; d++) {
                s += (double) q[r * qDim + h * HEAD_DIM + d] * k[j * kvDim + kvHead * HEAD_DIM + d];
            }
            scores[j - first] = s / Math.sqrt(HEAD_DIM);
            max = Math.max(max, scores[j - first]);
        }
        double sum = 0;
        for (int j = 0; j < scores.length; j++) {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
        }
        double[] out = new double[HEAD_DIM];
        for (int j = first; j <= r; j++) {
            for (int d = 0; d < HEAD_DIM; d++) {
                out[d] += scores[j - first] / sum * v[j * kvDim + kvHead * HEAD_DIM + d];
            }
        }
        return out;
    }
}
