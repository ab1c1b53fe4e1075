package dev.canopy.executor.engine;

import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.kv.BlockManagerConfig;
import dev.canopy.executor.model.LogitRows;
import dev.canopy.executor.sample.SampledToken;
import dev.canopy.executor.sample.Sampler;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sample.TokenHistory;
import dev.canopy.executor.sched.Scheduler;
import dev.canopy.executor.sched.SchedulerConfig;
import dev.canopy.executor.sched.Sequence;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The host work of one decode step of a big-vocabulary batch on a GPU backend, its logits ({@code rows × vocab}
 * floats) staged in native memory as a pinned download leaves them: {@link #copyThenSampleEachRow} as the engine
 * did it (a fresh array of the whole download, then one row after another), {@link #copyThenStepSampler} as it does
 * with a backend that returns a fresh array ({@link StepSampler}: rows on a thread team of every processor), and
 * {@link #stepSamplerInPlace} with a backend that lends its staging memory ({@link dev.canopy.executor.model.Backend
 * #forwardRows}). Greedy rows, or temperature 0.8 with top-p 0.95. Logits are Gaussian (σ 2.5), so the argmax sits
 * anywhere in a row.
 *
 * <p>Run: {@code scripts/bench.sh jmh StepSamplingBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class StepSamplingBenchmark {

    @Param({"greedy", "sampled"})
    public String sampling;

    @Param({"256"})
    public int rows;

    @Param({"32000"})
    public int vocab;

    private Arena arena;
    private MemorySegment staged; // (rows, vocab) floats in native memory
    private SamplingParams[] params; // (rows)
    private TokenHistory[] histories; // (rows)
    private final Sampler sampler = new Sampler();
    private StepSampler stepSampler;
    private List<Sequence> sequences; // (rows) what each row samples for: the same params as params[row]

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        staged = arena.allocate(4L * rows * vocab, 64);
        SplittableRandom random = new SplittableRandom(7);
        for (long i = 0; i < (long) rows * vocab; i++) {
            staged.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (2.5 * random.nextGaussian()));
        }
        params = new SamplingParams[rows];
        histories = new TokenHistory[rows];
        for (int r = 0; r < rows; r++) {
            params[r] = sampling.equals("greedy") ? SamplingParams.greedy(256)
                    : SamplingParams.builder().temperature(0.8).topP(0.95).seed(r).maxTokens(256).build();
            histories[r] = new BenchHistory(100, 10 + r);
        }
        Scheduler scheduler = new Scheduler(new SchedulerConfig(rows * 128, rows),
                new BlockManager(new BlockManagerConfig(8 * rows, 16, false)));
        sequences = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            sequences.addAll(scheduler.add(r, new int[100], params[r]));
        }
        stepSampler = new StepSampler(Runtime.getRuntime().availableProcessors());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        stepSampler.close();
        arena.close();
    }

    /** The engine's step as it was: a fresh array of the whole download, then one row after another. */
    @Benchmark
    public int[] copyThenSampleEachRow() {
        float[] logits = new float[rows * vocab]; // (rows, vocab)
        MemorySegment.copy(staged, ValueLayout.JAVA_FLOAT, 0, logits, 0, logits.length);
        int[] tokens = new int[rows];
        for (int r = 0; r < rows; r++) {
            tokens[r] = sampler.sample(logits, r * vocab, vocab, params[r], 0, histories[r]).tokenId();
        }
        return tokens;
    }

    /** The engine's step on a backend that returns a fresh array: the whole download copied, rows sampled together. */
    @Benchmark
    public SampledToken[] copyThenStepSampler() {
        float[] logits = new float[rows * vocab]; // (rows, vocab)
        MemorySegment.copy(staged, ValueLayout.JAVA_FLOAT, 0, logits, 0, logits.length);
        return stepSampler.sample(LogitRows.of(logits, rows), vocab, sequences);
    }

    /** The engine's step on a backend that lends its staging memory: nothing copied, rows sampled together. */
    @Benchmark
    public SampledToken[] stepSamplerInPlace() {
        return stepSampler.sample(new LogitRows(staged, rows, vocab), vocab, sequences);
    }

    /** A prompt of {@code prompt} token-0s and {@code generated} generated token-0s. */
    private record BenchHistory(int prompt, int generated) implements TokenHistory {
        @Override
        public int numPromptTokens() {
            return prompt;
        }

        @Override
        public int promptTokenAt(int index) {
            return 0;
        }

        @Override
        public int numGeneratedTokens() {
            return generated;
        }

        @Override
        public int generatedTokenAt(int index) {
            return 0;
        }
    }
}
