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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Shared-prefix attention (attention_prefix, then attention_merge) gives the per-row kernel's results to
 * fp32 rounding, on a step that has it all: a group larger than one CUDA block holds, a prefill chunk
 * inside a group, a group whose shared length is cut by a diverging table, and rows with no group (whose
 * bits must not change).
 */
@Tag("gpu")
class SharedPrefixAttentionGpuTest {

    private static final int HEADS = 8;
    private static final int KV_HEADS = 2;
    private static final int BLOCK_SIZE = 16;
    private static final int NUM_BLOCKS = 200;

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

    @ParameterizedTest(name = "head width {0}")
    @ValueSource(ints = {64, 128})
    void groupedRowsGetThePerRowResultsAndUngroupedRowsTheSameBits(int headDim) {
        ModelConfig c = new ModelConfig("test", HEADS * headDim, 1, HEADS, KV_HEADS, headDim, 16, 10, 4096, 1e-5f,
                10000f, headDim, RopeStyle.NORMAL, false);
        ForwardBatch b = mixedStep();
        int n = b.rows();
        int maxGroupRows = ForwardKernels.maxGroupRows(c);
        assertThat(maxGroupRows).isEqualTo(32);
        StepInputs alone = StepInputs.of(b, c.vocab(), NUM_BLOCKS, BLOCK_SIZE, 4096);
        StepInputs grouped = StepInputs.of(b, c.vocab(), NUM_BLOCKS, BLOCK_SIZE, 4096, maxGroupRows);
        assertThat(grouped.groups()).as("36 decode rows + 5 prefill rows in 2 groups, 4 rows in 1").isEqualTo(3);
        float[] q = ForwardKernelsGpuTest.random(n * c.qDim(), 1); // (n, qDim)
        int slots = NUM_BLOCKS * BLOCK_SIZE * c.kvDim();
        try (DeviceBuffer dq = context.allocate(4L * q.length, "q");
             DeviceBuffer kc = context.allocate(4L * slots, "keys");
             DeviceBuffer vc = context.allocate(4L * slots, "values");
             DeviceBuffer aloneInts = context.allocate(4L * alone.ints().length, "step alone");
             DeviceBuffer groupedInts = context.allocate(4L * grouped.ints().length, "step grouped");
             DeviceBuffer partials = context.allocate(4L * n * HEADS * (headDim + 2), "partials");
             DeviceBuffer att = context.allocate(4L * q.length, "att")) {
            dq.upload(0, q);
            kc.upload(0, ForwardKernelsGpuTest.random(slots, 2));
            vc.upload(0, ForwardKernelsGpuTest.random(slots, 3));
            aloneInts.upload(0, alone.ints());
            groupedInts.upload(0, grouped.ints());

            StepLayout perRow = StepLayout.at(aloneInts.address(), alone);
            kernels.attention(c, perRow, dq.address(), kc.address(), vc.address(), att.address(), BLOCK_SIZE, 0);
            float[] expected = ForwardKernelsGpuTest.download(context, att, q.length);

            StepLayout shared = StepLayout.at(groupedInts.address(), grouped);
            kernels.attentionPrefix(c, shared, dq.address(), kc.address(), vc.address(), partials.address(), BLOCK_SIZE);
            kernels.attention(c, shared, dq.address(), kc.address(), vc.address(), att.address(), BLOCK_SIZE,
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
}
