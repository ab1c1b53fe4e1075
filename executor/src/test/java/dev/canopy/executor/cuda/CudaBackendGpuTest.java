package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.ReferenceOutputs;
import dev.canopy.executor.TestModels;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.ModelQuantizer;
import dev.canopy.executor.model.QuantScheme;
import dev.canopy.executor.model.SyntheticModel;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.KernelChoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GPU backend against the CPU backend: the same greedy tokens on stories260K, logits within 1e-3
 * of the largest logit on synthetic models of every weight type (K-quants through the quantizer), and each row's logits bit for bit the
 * same whichever rows share its step.
 */
@Tag("gpu")
class CudaBackendGpuTest {

    private static final SyntheticModel.Shape SMALL = new SyntheticModel.Shape(128, 2, 4, 2, 256, 300, 256);
    /** Every matrix a whole number of 256-value super-blocks wide, so K-quant schemes need no fallback. */
    private static final SyntheticModel.Shape K_QUANT_SHAPE = new SyntheticModel.Shape(256, 2, 4, 2, 512, 300, 256);
    private static final int BLOCKS = 32;
    private static final int BLOCK_SIZE = 16;

    @TempDir
    Path dir;

    @BeforeEach
    void needsGpu() {
        Gpu.assume();
    }

    @Test
    void stories260kF32GreedyTokensMatchTheCpuBackendAndLlama2c() {
        try (Model model = Model.load(TestModels.stories260kF32());
             CpuBackend cpu = new CpuBackend(model, 2, KernelChoice.JAVA, BLOCKS, BLOCK_SIZE);
             CudaBackend gpu = new CudaBackend(model, CudaOptions.of(BLOCKS, BLOCK_SIZE))) {
            for (ReferenceOutputs.Llama2c ref : ReferenceOutputs.llama2c()) {
                int[] prompt = model.tokenizer().encode(ref.prompt(), true, false);
                int[] onGpu = GreedyRun.of(gpu, prompt, 64).tokens;
                assertThat(onGpu).as("GPU vs CPU tokens for %s", ref.prompt())
                        .containsExactly(GreedyRun.of(cpu, prompt, 64).tokens);
                assertThat(Arrays.copyOf(onGpu, ref.generatedTokens().length)).as("GPU vs llama2.c for %s", ref.prompt())
                        .containsExactly(ref.generatedTokens());
            }
        }
    }

    @Test
    void stories260kQ8GreedyTokensMatchTheCpuBackend() {
        try (Model model = Model.load(TestModels.stories260kQ8());
             CpuBackend cpu = new CpuBackend(model, 2, KernelChoice.JAVA, BLOCKS, BLOCK_SIZE);
             CudaBackend gpu = new CudaBackend(model, CudaOptions.of(BLOCKS, BLOCK_SIZE))) {
            for (ReferenceOutputs.Llama2c ref : ReferenceOutputs.llama2c()) {
                int[] prompt = model.tokenizer().encode(ref.prompt(), true, false);
                assertThat(GreedyRun.of(gpu, prompt, 64).tokens).as("GPU vs CPU tokens for %s", ref.prompt())
                        .containsExactly(GreedyRun.of(cpu, prompt, 64).tokens);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    void syntheticModelLogitsAreWithin1e3OfTheCpuBackend(GgmlType type) {
        Path file = dir.resolve("synthetic-" + type + ".gguf");
        SyntheticModel.write(file, SMALL, type, 17);
        int[] prompt = {1, 300 - 1, 280, 17, 42, 260, 261, 262, 5, 299, 3, 100, 200, 150, 270, 271, 272, 9, 10, 11};
        assertGreedyLogitsFollowTheCpu(file, CudaOptions.of(BLOCKS, BLOCK_SIZE), prompt, type.toString());
    }

    @ParameterizedTest
    @EnumSource(value = QuantScheme.class, names = {"Q4_K", "Q6_K", "Q4_K_M"})
    void kQuantModelLogitsAreWithin1e3OfTheCpuBackend(QuantScheme scheme) {
        Path f32 = dir.resolve("synthetic-k-F32.gguf");
        SyntheticModel.write(f32, K_QUANT_SHAPE, GgmlType.F32, 29);
        Path file = dir.resolve("synthetic-k-" + scheme + ".gguf");
        ModelQuantizer.Report report = ModelQuantizer.quantize(f32, file, scheme);
        assertThat(report.fallbacks()).as("tensors that could not take the scheme's K-quant").isEmpty();
        if (scheme == QuantScheme.Q4_K_M) {
            assertThat(report.tensors()).extracting(ModelQuantizer.TensorPlan::written).as("a mix, as in real files")
                    .contains(GgmlType.Q4_K, GgmlType.Q6_K);
        }
        int[] prompt = {1, 290, 281, 17, 42, 260, 261, 262, 5, 299, 3, 100, 200, 150, 270, 271, 272, 9, 10, 11, 12};
        assertGreedyLogitsFollowTheCpu(file, CudaOptions.of(BLOCKS, BLOCK_SIZE).withTensorCores(true), prompt,
                scheme.toString());
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void tensorCoreLogitsAreWithin1e3OfTheCpuBackend(GgmlType type) {
        Path file = dir.resolve("synthetic-tc-" + type + ".gguf");
        SyntheticModel.write(file, SMALL, type, 23);
        int[] prompt = {1, 290, 281, 17, 42, 260, 261, 262, 5, 299, 3, 100, 200, 150, 270, 271, 272, 9, 10, 11, 12};
        assertGreedyLogitsFollowTheCpu(file, CudaOptions.of(BLOCKS, BLOCK_SIZE).withTensorCores(true), prompt,
                type.toString());
    }

    /**
     * Greedy decoding of {@code prompt} for 8 steps on the CPU backend (Java kernels) and on the GPU with
     * {@code options}: each step's logits within 1e-3 of the largest CPU logit, up to the first step whose
     * tokens differ (a near tie that went the other way; later steps see different inputs).
     */
    private static void assertGreedyLogitsFollowTheCpu(Path file, CudaOptions options, int[] prompt, String what) {
        try (Model model = Model.load(file);
             CpuBackend cpu = new CpuBackend(model, 2, KernelChoice.JAVA, BLOCKS, BLOCK_SIZE);
             CudaBackend gpu = new CudaBackend(model, options)) {
            GreedyRun onCpu = GreedyRun.of(cpu, prompt, 8);
            GreedyRun onGpu = GreedyRun.of(gpu, prompt, 8);
            for (int step = 0; step < 8; step++) {
                assertWithinRelative(onGpu.logits[step], onCpu.logits[step], 1e-3, what + " step " + step);
                if (!Arrays.equals(onGpu.tokens, onCpu.tokens)) {
                    break;
                }
            }
        }
    }

    /** |gpu - cpu| <= tolerance * max |cpu| for every element: relative to the logits' scale. */
    private static void assertWithinRelative(float[] gpu, float[] cpu, double tolerance, String what) {
        assertThat(gpu).as(what).hasSameSizeAs(cpu);
        double scale = 0;
        for (float v : cpu) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < cpu.length; i++) {
            worst = Math.max(worst, Math.abs(gpu[i] - cpu[i]));
        }
        assertThat(worst / scale).as("%s: largest difference relative to the largest logit %s", what, scale)
                .isLessThanOrEqualTo(tolerance);
    }

    @ParameterizedTest(name = "tensor cores {0}")
    @ValueSource(booleans = {false, true})
    void aSequencesLogitsAreBitIdenticalAloneInChunksOrSharingStepsWithOthers(boolean tensorCores) {
        Path file = dir.resolve("invariance.gguf");
        SyntheticModel.write(file, SMALL, GgmlType.Q8_0, 5);
        int[] a = {1, 270, 271, 272, 273, 274, 275, 276, 277, 278, 279, 280, 281, 282, 283, 284, 285, 286, 287};
        try (Model model = Model.load(file);
             CudaBackend gpu = new CudaBackend(model, CudaOptions.of(BLOCKS, BLOCK_SIZE).withTensorCores(tensorCores))) {
            int[] tableA = {0, 1};
            float[] alone = gpu.forward(ForwardBatch.ofSequence(a, 0, tableA));

            int[] tableA2 = {2, 3};
            float[] chunked = null;
            for (int start = 0; start < a.length; start += 5) {
                int[] chunk = Arrays.copyOfRange(a, start, Math.min(a.length, start + 5));
                chunked = gpu.forward(ForwardBatch.ofSequence(chunk, start, tableA2));
            }
            assertThat(chunked).as("prefill in chunks of 5").containsExactly(alone);

            // B decodes one token (its prompt written first), C prefills 11; A's rows sit between them
            int[] b = {1, 300 - 2, 7};
            gpu.forward(ForwardBatch.ofSequence(Arrays.copyOf(b, 2), 0, new int[] {6}));
            int n = 1 + a.length + 11;
            int[] tokens = new int[n];
            int[] positions = new int[n];
            int[] rowSequence = new int[n];
            tokens[0] = b[2];
            positions[0] = 2;
            for (int i = 0; i < a.length; i++) {
                tokens[1 + i] = a[i];
                positions[1 + i] = i;
                rowSequence[1 + i] = 1;
            }
            for (int i = 0; i < 11; i++) {
                tokens[1 + a.length + i] = 260 + i;
                positions[1 + a.length + i] = i;
                rowSequence[1 + a.length + i] = 2;
            }
            float[] shared = gpu.forward(new ForwardBatch(tokens, positions, rowSequence,
                    new int[][] {{6}, {4, 5}, {7}}, new int[] {0, a.length, n - 1}));
            int vocab = model.config().vocab();
            assertThat(Arrays.copyOfRange(shared, vocab, 2 * vocab)).as("A's last row in a shared step")
                    .containsExactly(alone);
        }
    }

    @ParameterizedTest(name = "tensor cores {0}")
    @ValueSource(booleans = {false, true})
    void sequencesSharingPrefixBlocksGetTheLogitsTheyGetAlone(boolean tensorCores) {
        Path file = dir.resolve("prefix.gguf");
        SyntheticModel.write(file, SMALL, GgmlType.Q8_0, 31);
        int bs = 4;
        int[] prefix = {1, 270, 271, 272, 273, 274, 275, 276}; // two full blocks
        int[] suffixA = {280, 281, 282};
        int[] suffixB = {290, 291, 292, 293, 294};
        try (Model model = Model.load(file);
             CudaBackend gpu = new CudaBackend(model, CudaOptions.of(64, bs).withTensorCores(tensorCores))) {
            int vocab = model.config().vocab();
            float[] aloneA = gpu.forward(ForwardBatch.ofSequence(concat(prefix, suffixA), 0, new int[] {0, 1, 2}));
            float[] aloneB = gpu.forward(ForwardBatch.ofSequence(concat(prefix, suffixB), 0, new int[] {10, 11, 12, 13}));

            int[] tableA = {20, 21, 22}; // blocks 20 and 21 hold the shared prefix, written once
            int[] tableB = {20, 21, 23, 24};
            gpu.forward(ForwardBatch.ofSequence(prefix, 0, tableA));
            int n = suffixA.length + suffixB.length;
            int[] tokens = concat(suffixA, suffixB);
            int[] positions = new int[n];
            int[] rowSequence = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = prefix.length + (i < suffixA.length ? i : i - suffixA.length);
                rowSequence[i] = i < suffixA.length ? 0 : 1;
            }
            float[] both = gpu.forward(new ForwardBatch(tokens, positions, rowSequence, new int[][] {tableA, tableB},
                    new int[] {suffixA.length - 1, n - 1}));
            assertThat(Arrays.copyOfRange(both, 0, vocab)).as("A after the shared prefix").containsExactly(aloneA);
            assertThat(Arrays.copyOfRange(both, vocab, 2 * vocab)).as("B after the shared prefix")
                    .containsExactly(aloneB);
        }
    }

    @Test
    void sharedPrefixAttentionGivesThePerRowLogitsToFp32Rounding() {
        Path file = dir.resolve("cascade.gguf");
        SyntheticModel.write(file, K_QUANT_SHAPE, GgmlType.Q8_0, 37); // heads 64 wide: a shared-prefix kernel
        int[][] tables = {{0, 1, 2, 3}, {0, 1, 4, 5}, {0, 1, 6, 7}}; // blocks 0 and 1 shared: 32 positions
        int[] prefix = new int[40];
        for (int i = 0; i < prefix.length; i++) {
            prefix[i] = 3 + (i * 37) % 290;
        }
        try (Model model = Model.load(file);
             CudaBackend alone = new CudaBackend(model, CudaOptions.of(BLOCKS, BLOCK_SIZE));
             CudaBackend grouped = new CudaBackend(model, CudaOptions.of(BLOCKS, BLOCK_SIZE)
                     .withSharedPrefixAttention(true))) {
            List<ForwardBatch> steps = new ArrayList<>();
            steps.add(ForwardBatch.ofSequence(prefix, 0, tables[0])); // A writes the shared blocks (and its own)
            // A prefills 40..44; B and C their own copies of 32..39, then 40..44: 31 rows in one group
            List<int[]> rows = new ArrayList<>(); // {token, position, sequence}
            for (int s = 0; s < 3; s++) {
                for (int p = s == 0 ? 40 : 32; p < 45; p++) {
                    rows.add(new int[] {p < 40 ? prefix[p] : 200 + 10 * s + p - 40, p, s});
                }
            }
            steps.add(step(rows, tables));
            for (int t = 0; t < 6; t++) { // decode, one row per sequence
                List<int[]> decode = new ArrayList<>();
                for (int s = 0; s < 3; s++) {
                    decode.add(new int[] {100 + 7 * t + s, 45 + t, s});
                }
                steps.add(step(decode, tables));
            }
            for (int i = 0; i < steps.size(); i++) {
                assertWithinRelative(grouped.forward(steps.get(i)), alone.forward(steps.get(i)), 1e-4, "step " + i);
            }
            assertThat(grouped.sharedPrefixSteps()).as("steps that attended in groups").isEqualTo(7);
            assertThat(alone.sharedPrefixSteps()).isZero();
        }
    }

    /** A step of rows {token, position, sequence}, each row's logits wanted. */
    private static ForwardBatch step(List<int[]> rows, int[][] tables) {
        int n = rows.size();
        int[] tokens = new int[n];
        int[] positions = new int[n];
        int[] sequences = new int[n];
        int[] logitRows = new int[n];
        for (int r = 0; r < n; r++) {
            tokens[r] = rows.get(r)[0];
            positions[r] = rows.get(r)[1];
            sequences[r] = rows.get(r)[2];
            logitRows[r] = r;
        }
        return new ForwardBatch(tokens, positions, sequences, tables, logitRows);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void cudaGraphsReplayTheBitsOfKernelByKernelLaunches() {
        Path file = dir.resolve("graphs.gguf");
        SyntheticModel.write(file, SMALL, GgmlType.Q4_0, 3);
        int[] prompt = {1, 280, 290, 270, 260};
        try (Model model = Model.load(file);
             CudaBackend graphs = new CudaBackend(model, CudaOptions.of(BLOCKS, BLOCK_SIZE));
             CudaBackend direct = new CudaBackend(model, CudaOptions.of(BLOCKS, BLOCK_SIZE).withGraphs(false));
             CudaBackend checked = new CudaBackend(model, CudaOptions.of(BLOCKS, BLOCK_SIZE).withCheckEachKernel(true))) {
            GreedyRun replayed = GreedyRun.of(graphs, prompt, 12);
            GreedyRun launched = GreedyRun.of(direct, prompt, 12);
            GreedyRun synchronous = GreedyRun.of(checked, prompt, 12);
            assertThat(graphs.capturedGraphs()).as("decode steps replayed from a graph").isPositive();
            assertThat(direct.capturedGraphs()).isZero();
            for (int step = 0; step < 12; step++) {
                assertThat(replayed.logits[step]).as("step %d, graph vs launches", step)
                        .containsExactly(launched.logits[step]);
                assertThat(synchronous.logits[step]).as("step %d, checked launches", step)
                        .containsExactly(launched.logits[step]);
            }
        }
    }

    @Test
    void copiedBlocksServeAForkedSequence() {
        Path file = dir.resolve("fork.gguf");
        SyntheticModel.write(file, SMALL, GgmlType.F16, 9);
        int[] prompt = new int[20]; // fills block 0 and part of block 1
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 259 + i;
        }
        try (Model model = Model.load(file);
             CudaBackend gpu = new CudaBackend(model, CudaOptions.of(BLOCKS, BLOCK_SIZE))) {
            gpu.forward(ForwardBatch.ofSequence(prompt, 0, new int[] {0, 1}));
            gpu.copyBlock(0, 8);
            gpu.copyBlock(1, 9);
            float[] original = gpu.forward(ForwardBatch.ofSequence(new int[] {42}, 20, new int[] {0, 1}));
            float[] fork = gpu.forward(ForwardBatch.ofSequence(new int[] {42}, 20, new int[] {8, 9}));
            assertThat(fork).containsExactly(original);
        }
    }

    @Test
    void aModelThatDoesNotFitNamesTheBytesNeededAndFree() {
        Path file = dir.resolve("small.gguf");
        SyntheticModel.write(file, SMALL, GgmlType.F32, 1);
        try (Model model = Model.load(file)) {
            // 2 layers * 2 * 64 floats per token: 1 << 30 blocks of 16 tokens are 16 TiB of KV cache
            assertThatThrownBy(() -> new CudaBackend(model, CudaOptions.of(1 << 30, BLOCK_SIZE)))
                    .isInstanceOf(CudaException.class)
                    .hasMessageMatching("Cannot load model small\\.gguf onto cuda:0: it needs \\d+ bytes \\(weights \\d+,"
                            + " KV cache 17592186044416, activations \\d+, headroom \\d+\\) but only \\d+ of \\d+ bytes are"
                            + " free");
        }
    }
}
