package dev.canopy.executor.cuda;

import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.EngineMetrics;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.GgmlType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole engine (scheduler, prefix cache, batching, sampling) on the GPU with a W1-shaped workload
 * ({@link SharedPrefixWorkload#w1()}) on CudaBenchmark's 1B-shaped Q8_0 model on tensor cores, three
 * times: prefix cache on, off, and on with shared-prefix attention
 * ({@link CudaOptions#sharedPrefixAttention()}). Appends a markdown row per run to {@code <out>/w1.md} and logs how many requests generated
 * the same tokens as with the cache off: all of them with the cache alone (the backend's rows do not
 * depend on which rows share their step, and a cached prefix holds the bits a recomputed one would);
 * with shared-prefix attention nearly all (its sums are rounded in another order, which may flip a
 * near tie of the greedy choice).
 *
 * <p>Usage: {@code EngineBenchmark <out dir> <work dir>} (the model is written to the work dir when
 * {@code CudaBenchmark generate} has not). Exits 2 without a GPU.
 */
public final class EngineBenchmark {

    /** The whole run's budget; the GPU script gives the process 120 s. */
    static final double TOTAL_SECONDS = 95;
    private static final int BLOCK_SIZE = 16;
    private static final int MAX_BATCH_TOKENS = 2048;

    private final Path table;
    private final BenchWatchdog watch;

    private EngineBenchmark(Path table, BenchWatchdog watch) {
        this.table = table;
        this.watch = watch;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: EngineBenchmark <out dir> <work dir>");
            System.exit(1);
        }
        CudaAvailability a = CudaBackend.availability();
        if (!a.available()) {
            System.err.println("No GPU engine benchmark: " + a.detail());
            System.exit(2);
        }
        Path out = Files.createDirectories(Path.of(args[0]));
        try (BenchWatchdog watch = new BenchWatchdog(System.out, TOTAL_SECONDS)) {
            watch.log("%s", a.detail());
            Path model = CudaBenchmark.synthetic(Path.of(args[1]), GgmlType.Q8_0);
            new EngineBenchmark(out.resolve("w1.md"), watch).run(model, SharedPrefixWorkload.w1());
            watch.log("done");
        }
    }

    private void run(Path model, SharedPrefixWorkload workload) throws IOException {
        Files.writeString(table, "W1-shaped workload on the engine: " + workload + ", greedy, "
                + model.getFileName() + "\n\n| prefix cache | attention | backend | requests | prompt tokens | prefill tokens "
                + "| generated | steps | seconds | output tok/s | total tok/s |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        Map<String, int[]> cached = guarded(model, workload, true, false);
        Map<String, int[]> uncached = guarded(model, workload, false, false);
        compare("the prefix cache on", cached, uncached);
        // last: a fault in its kernels would leave the GPU context unusable for the runs after it
        Map<String, int[]> grouped = guarded(model, workload, true, true);
        compare("the prefix cache and shared-prefix attention on", grouped, uncached);
    }

    /** {@link #generate}, with a failure logged (with its stack) instead of ending the run. */
    private Map<String, int[]> guarded(Path model, SharedPrefixWorkload workload, boolean prefixCache,
                                       boolean sharedPrefixAttention) {
        try {
            return generate(model, workload, prefixCache, sharedPrefixAttention);
        } catch (RuntimeException | Error e) {
            watch.log("FAILED prefix cache %s, shared-prefix attention %s: %s", prefixCache, sharedPrefixAttention, e);
            e.printStackTrace(System.out);
            System.out.flush();
            return new HashMap<>();
        }
    }

    private void compare(String what, Map<String, int[]> run, Map<String, int[]> uncached) {
        if (!run.isEmpty() && !uncached.isEmpty()) {
            long same = run.entrySet().stream().filter(e -> Arrays.equals(e.getValue(), uncached.get(e.getKey())))
                    .count();
            watch.log("completions identical with %s and with the cache off: %d of %d", what, same, run.size());
        }
    }

    /** Runs the workload on a fresh engine; returns each request's generated tokens (empty when skipped). */
    private Map<String, int[]> generate(Path file, SharedPrefixWorkload workload, boolean prefixCache,
                                        boolean sharedPrefixAttention) {
        Map<String, int[]> tokens = new HashMap<>();
        String attention = sharedPrefixAttention ? "shared-prefix" : "per row";
        String label = "prefix cache " + (prefixCache ? "on" : "off") + ", " + attention + " attention";
        if (!watch.hasTime(15, label)) {
            return tokens;
        }
        watch.stage(label + ": loading the model and " + workload.requests() + " sequences of KV", 30);
        Model model = Model.load(file);
        int blocks = Throughput.blocksFor(workload.requests(), workload.sequenceLength(), BLOCK_SIZE);
        CudaBackend gpu;
        try {
            gpu = new CudaBackend(model, CudaOptions.of(blocks, BLOCK_SIZE).withTensorCores(true)
                    .withSharedPrefixAttention(sharedPrefixAttention));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        EngineConfig config = EngineConfig.defaults(file).withBackend(BackendKind.CUDA).withBlockSize(BLOCK_SIZE)
                .withMaxSeqs(workload.requests()).withMaxBatchTokens(MAX_BATCH_TOKENS).withPrefixCaching(prefixCache);
        try (Engine engine = new Engine(config, model, gpu)) { // closes the backend and the model
            int vocab = model.config().vocab();
            watch.stage(label + ": warm-up (4 short requests)", 15);
            engine.generate(new SharedPrefixWorkload(1, 4, 16, 16, 8).requests(vocab, 99));
            watch.stage(label + ": " + workload, 40);
            List<GenerationRequest> requests = workload.requests(vocab, 1);
            for (GenerationResult r : engine.generate(requests)) {
                if (r.error().isPresent()) {
                    throw new IllegalStateException("Cannot finish the W1 benchmark: request " + r.id() + " failed: "
                            + r.error().get());
                }
                tokens.put(r.id(), r.completions().get(0).tokenIds());
            }
            add(prefixCache ? "on" : "off", attention, gpu.name() + " tensor cores", engine.lastRunMetrics());
            watch.log("steps with shared-prefix groups: %d", gpu.sharedPrefixSteps());
        }
        return tokens;
    }

    private void add(String cache, String attention, String backend, EngineMetrics m) {
        String row = String.format("| %s | %s | %s | %d | %d | %d | %d | %d | %.2f | %.1f | %.1f |", cache, attention, backend,
                m.requests(), m.promptTokens(), m.prefillTokens(), m.generatedTokens(), m.steps(),
                m.elapsedNanos() / 1e9, m.generatedTokensPerSecond(), m.totalTokensPerSecond());
        watch.log("%s", row);
        try {
            Files.writeString(table, row + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to " + table, e);
        }
    }
}
