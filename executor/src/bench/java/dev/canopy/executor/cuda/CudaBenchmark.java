package dev.canopy.executor.cuda;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.SyntheticModel;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.KernelChoice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * Throughput of the GPU backend, one markdown row per measurement appended to {@code <out>/bench.md}
 * as soon as it is measured, with timestamped progress on stdout before every stage. Cheap stages come
 * first: stories260K (F32, Q8_0) single-stream decode; then a synthetic model shaped like Llama 3.2 1B
 * (dim 2048, 16 layers, 32 heads, 8 KV heads, FFN 8192; vocabulary 32000) in Q8_0 on CUDA cores:
 * single-stream decode with its fraction of the HBM roofline, lockstep decode of 64 and 256
 * sequences, a 512-token prefill; the same on tensor cores; the same in Q4_K (CUDA cores); then the
 * 1B model's first logits GPU vs CPU. (BF16, kernel-by-kernel launches and the CPU backend on
 * stories260K were measured once and are in docs/benchmarks.md; {@code extra} after the work dir of
 * {@code run} measures them again.) Every stage is
 * capped in steps and seconds and the whole run in {@link #TOTAL_SECONDS}; a stage that hangs gets
 * its threads' stacks logged and ends the run ({@link BenchWatchdog}).
 *
 * <p>Usage: {@code CudaBenchmark generate <work dir> 1b} writes the 1B-shaped models, {@code ... 7b} the
 * 7B-shaped one (on the CPU; run them beside the GPU tests to save time; exit 2 without a GPU), then
 * {@code CudaBenchmark run <out dir> <work dir>} measures, writing 1B models still missing; the 7B stages
 * run only where its file is there. {@code run ... profile} writes only the kernel-time tables (profile.md:
 * where a decode step's GPU time goes, kernel by kernel). {@code run} exits 2 without a GPU.
 */
public final class CudaBenchmark {

    static final SyntheticModel.Shape LLAMA_1B = new SyntheticModel.Shape(2048, 16, 32, 8, 8192, 32000, 2048);
    /**
     * Llama 2 7B's shape (dim 4096, 32 layers, 32 heads and 32 KV heads, FFN 11008, vocabulary 32000): single-stream
     * decode of a model whose matrices are large enough for their launches not to dominate a step.
     */
    static final SyntheticModel.Shape LLAMA_7B = new SyntheticModel.Shape(4096, 32, 32, 32, 11008, 32000, 2048);
    /** The whole run's budget: the GPU script gives the process 145 s. */
    static final double TOTAL_SECONDS = 120; // + the watchdog's grace stays under the script's 145 s
    private static final int BLOCK_SIZE = 16;
    private static final int PROMPT = 16;
    private static final int STEPS = 32;
    private static final int[] COMPARE_PROMPT = {1, 500, 1000, 1500, 2000, 2500, 3000, 3500};

    private final DeviceInfo device;
    private final Path table;
    private final BenchWatchdog watch;
    private float[] gpuLogitsQ8; // (vocab) the 1B Q8_0 model's logits after COMPARE_PROMPT on the GPU, fp32 path

    private CudaBenchmark(DeviceInfo device, Path table, BenchWatchdog watch) {
        this.device = device;
        this.table = table;
        this.watch = watch;
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("generate") && List.of("1b", "7b").contains(args[2])) {
            if (!CudaBackend.isAvailable()) {
                System.err.println("No models written: there is no GPU to benchmark them on");
                System.exit(2);
            }
            if (args[2].equals("1b")) {
                for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_K}) {
                    synthetic(Path.of(args[1]), type);
                }
            } else {
                synthetic(Path.of(args[1]), "llama7b-shape", LLAMA_7B, GgmlType.Q8_0); // 7 GB: written here only
            }
            return;
        }
        String mode = args.length == 4 ? args[3] : "";
        if (!(args.length == 3 || (args.length == 4 && List.of("extra", "profile").contains(mode)))
                || !args[0].equals("run")) {
            System.err.println("usage: CudaBenchmark generate <work dir> 1b|7b | "
                    + "CudaBenchmark run <out dir> <work dir> [extra|profile]");
            System.exit(1);
        }
        CudaAvailability a = CudaBackend.availability();
        if (!a.available()) {
            System.err.println("No GPU benchmark: " + a.detail());
            System.exit(2);
        }
        Path out = Files.createDirectories(Path.of(args[1]));
        Path work = Path.of(args[2]);
        try (BenchWatchdog watch = new BenchWatchdog(System.out, TOTAL_SECONDS)) {
            watch.log("%s", a.detail());
            CUdevice gpu = new CUdevice();
            CudaException.check(JCudaDriver.cuDeviceGet(gpu, 0), "get cuda:0");
            DeviceInfo info = CudaContext.describe(0, gpu); // no context of its own: each stage's backend opens one
            CudaBenchmark bench = new CudaBenchmark(info, out.resolve("bench.md"), watch);
            if (mode.equals("profile")) {
                bench.profiles(work);
            } else {
                bench.run(work, mode.equals("extra"));
            }
            watch.log("done");
        }
    }

    private void run(Path work, boolean extra) throws IOException {
        Files.writeString(table, "Device: " + device.describe() + "\n\n"
                + "| model | backend | workload | sequences | tokens/s | note |\n|---|---|---|---|---|---|\n");
        Path q8 = work.resolve("llama1b-shape-Q8_0.gguf");
        CudaOptions stories = CudaOptions.of(Throughput.blocksFor(1, PROMPT + 128, BLOCK_SIZE), BLOCK_SIZE);
        CudaOptions large = CudaOptions.of(Throughput.blocksFor(256, 512 + STEPS, BLOCK_SIZE), BLOCK_SIZE);
        guarded("stories260K F32 on the GPU", () -> gpu(TestModels.stories260kF32(), stories, false, 128));
        guarded("stories260K Q8_0 on the GPU", () -> gpu(TestModels.stories260kQ8(), stories, false, 128));
        guarded("1B Q8_0 on CUDA cores", () -> gpu(synthetic(work, GgmlType.Q8_0), large, true, 64));
        guarded("1B Q8_0 on tensor cores", () -> gpu(q8, large.withTensorCores(true), true, 64));
        guarded("1B Q4_K", () -> gpu(synthetic(work, GgmlType.Q4_K), large, true, 64));
        guarded("1B Q8_0 logits GPU vs CPU", () -> compareWithCpu(q8));
        Path q8Large = work.resolve("llama7b-shape-Q8_0.gguf");
        CudaOptions single = CudaOptions.of(Throughput.blocksFor(1, 512 + 64, BLOCK_SIZE), BLOCK_SIZE);
        if (Files.exists(q8Large)) {
            guarded("7B Q8_0 on CUDA cores", () -> gpu(q8Large, single, false, 32));
            guarded("7B Q8_0 on tensor cores", () -> gpu(q8Large, single.withTensorCores(true), false, 32));
        } else {
            watch.log("no 7B-shaped model: `CudaBenchmark generate` did not finish writing it");
        }
        if (extra) {
            guarded("1B BF16", () -> gpu(synthetic(work, GgmlType.BF16), large, true, 64));
            guarded("1B Q8_0 kernel by kernel", () -> gpu(q8, large.withGraphs(false), false, 64));
            guarded("stories260K F32 on the CPU", () -> cpuStories(TestModels.stories260kF32()));
        }
    }

    /** Only the kernel-time tables ({@link #profile}) of the 1B and 7B Q8_0 models. */
    private void profiles(Path work) throws IOException {
        Files.writeString(table.resolveSibling("profile.md"), "Device: " + device.describe() + "\n");
        Path q8 = synthetic(work, GgmlType.Q8_0);
        Path q8Large = work.resolve("llama7b-shape-Q8_0.gguf");
        CudaOptions single = CudaOptions.of(Throughput.blocksFor(1, 512 + 64, BLOCK_SIZE), BLOCK_SIZE);
        CudaOptions many = CudaOptions.of(Throughput.blocksFor(64, PROMPT + 64, BLOCK_SIZE), BLOCK_SIZE);
        guarded("1B Q8_0 kernel times, 1 sequence", () -> profile(q8, single, 1));
        guarded("1B Q8_0 kernel times, 64 sequences", () -> profile(q8, many, 64));
        guarded("1B Q8_0 kernel times on tensor cores, 64 sequences", () -> profile(q8, many.withTensorCores(true), 64));
        if (Files.exists(q8Large)) {
            guarded("7B Q8_0 kernel times, 1 sequence", () -> profile(q8Large, single, 1));
        }
    }

    /** A group of stages that throws: logged with its stack, and the run goes on with the next group. */
    private void guarded(String what, Stages stages) {
        try {
            stages.run();
        } catch (Exception | Error e) {
            watch.log("FAILED %s: %s", what, e);
            e.printStackTrace(System.out);
            System.out.flush();
        }
    }

    private interface Stages {
        void run() throws Exception;
    }

    /** The 1B-shaped model of {@code type} in {@code work}, written unless a finished one is there. */
    static Path synthetic(Path work, GgmlType type) throws IOException {
        return synthetic(work, "llama1b-shape", LLAMA_1B, type);
    }

    /** The synthetic model {@code <name>-<type>.gguf} of {@code shape} in {@code work}, written unless there. */
    static Path synthetic(Path work, String name, SyntheticModel.Shape shape, GgmlType type) throws IOException {
        Path file = Files.createDirectories(work).resolve(name + "-" + type + ".gguf");
        if (!Files.exists(file)) {
            long t0 = System.nanoTime();
            SyntheticModel.write(file, shape, type, 1); // writes to a temporary file, then moves it
            System.out.printf("wrote %s (%d bytes) in %.1f s%n", file, Files.size(file), (System.nanoTime() - t0) / 1e9);
        }
        return file;
    }

    /**
     * Loads {@code file} onto the GPU, then single-stream decode ({@code singleSteps} steps; with its
     * roofline fraction for models over 100 MB) and, for the 1B model ({@code batched}), lockstep decode of 64 and 256 sequences and a 512-token prefill.
     */
    private void gpu(Path file, CudaOptions options, boolean batched, int singleSteps) {
        String name = file.getFileName().toString();
        String backend = "cuda:" + options.device() + (options.tensorCores() ? " tensor cores" : "")
                + (options.graphs() ? "" : " (no graphs)");
        if (!watch.hasTime(batched ? 30 : 5, name + " on " + backend)) {
            return;
        }
        watch.stage(name + ": mapping the file", 20);
        try (Model model = Model.load(file)) {
            watch.stage(name + ": uploading weights and allocating " + options.numBlocks() + " KV blocks", 60);
            long t0 = System.nanoTime();
            try (CudaBackend gpu = new CudaBackend(model, options)) {
                watch.log("loaded in %.1f s", (System.nanoTime() - t0) / 1e9);
                Throughput t = new Throughput(gpu, model.config().vocab());
                if (batched && options.graphs() && !options.tensorCores() && gpuLogitsQ8 == null
                        && model.weights().output().type() == GgmlType.Q8_0) {
                    watch.stage(name + ": logits of an 8-token prompt, for the CPU comparison", 10);
                    gpuLogitsQ8 = gpu.forward(ForwardBatch.ofSequence(COMPARE_PROMPT, 0, new int[] {100, 101}));
                }
                watch.stage(name + ": warm-up", 10);
                t.decode(1, PROMPT, 4, 512, cap(5));
                watch.stage(name + ": decode batch 1, " + singleSteps + " steps", 15);
                Throughput.Timing single = t.decode(1, PROMPT, singleSteps, 512, cap(10));
                long weightBytes = decodeBytes(model);
                add(name, backend, "decode, 1 sequence", 1, single,
                        weightBytes > 100_000_000 ? roofline(single, weightBytes) : "");
                if (!batched) {
                    return;
                }
                for (int sequences : new int[] {64, 256}) {
                    if (watch.hasTime(10, "decode batch " + sequences)) {
                        watch.stage(name + ": decode batch " + sequences + " (prefill untimed), " + STEPS + " steps", 40);
                        add(name, backend, "decode, lockstep", sequences, t.decode(sequences, PROMPT, STEPS, 4096, cap(10)), "");
                    }
                }
                if (watch.hasTime(5, "prefill")) {
                    watch.stage(name + ": prefill 512 tokens, best of 3", 15);
                    add(name, backend, "prefill 512 tokens", 1, t.prefill(512, 3, cap(5)), "");
                }
                watch.stage(name + ": closing", 10);
            }
        }
    }

    /**
     * Where a decode step's time goes: {@code sequences} sequences decoded with kernels launched one by one, each
     * timed by CUDA events ({@link KernelProfile}); the table goes to profile.md, beside the step's wall time.
     */
    private void profile(Path file, CudaOptions options, int sequences) throws IOException {
        String name = file.getFileName().toString();
        String backend = "cuda:" + options.device() + (options.tensorCores() ? " tensor cores" : "");
        if (!watch.hasTime(15, "kernel times of " + name)) {
            return;
        }
        watch.stage(name + ": kernel times, " + sequences + " sequence(s), " + backend, 60);
        try (Model model = Model.load(file)) {
            Throughput.Timing graphed;
            try (CudaBackend gpu = new CudaBackend(model, options.withGraphs(true))) { // as the engine runs it
                Throughput t = new Throughput(gpu, model.config().vocab());
                t.decode(sequences, PROMPT, 4, 4096, cap(5)); // warm-up
                graphed = t.decode(sequences, PROMPT, 32, 4096, cap(10));
            }
            try (CudaBackend gpu = new CudaBackend(model, options.withGraphs(false));
                 KernelProfile profile = new KernelProfile()) {
                Throughput t = new Throughput(gpu, model.config().vocab());
                int steps = 16;
                Throughput.Timing plain = t.decode(sequences, PROMPT, steps, 4096, cap(10)); // also the warm-up
                gpu.profile(profile);
                Throughput.Timing timed = t.decode(sequences, PROMPT, steps, 4096, cap(10));
                gpu.profile(null);
                profile.collect();
                long timedSteps = timed.tokens() / sequences;
                String text = String.format("%n## %s, %s, %d sequence(s): %d steps%n%nWith CUDA graphs %.1f tok/s "
                                + "(%.1f µs a step); step wall time %.1f µs launching kernel by kernel without events, "
                                + "%.1f µs with them; the kernels' GPU time per step below.%n%n%s", name, backend,
                        sequences, timedSteps, graphed.tokensPerSecond(),
                        1e6 * graphed.seconds() / (graphed.tokens() / sequences),
                        1e6 * plain.seconds() / (plain.tokens() / sequences), 1e6 * timed.seconds() / timedSteps,
                        profile.table((int) timedSteps));
                watch.log("%s", text);
                Files.writeString(table.resolveSibling("profile.md"), text, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        }
    }

    private void cpuStories(Path file) {
        watch.stage("stories260K on the CPU backend, decode batch 1", 15);
        try (Model model = Model.load(file);
             CpuBackend cpu = new CpuBackend(model, Runtime.getRuntime().availableProcessors(), KernelChoice.AUTO,
                     Throughput.blocksFor(1, PROMPT + 128, BLOCK_SIZE), BLOCK_SIZE)) {
            Throughput t = new Throughput(cpu, model.config().vocab());
            t.decode(1, PROMPT, 8, 512, cap(5)); // warm-up
            add(file.getFileName().toString(), "cpu " + cpu.kernels().name().toLowerCase(), "decode, 1 sequence", 1,
                    t.decode(1, PROMPT, 128, 512, cap(10)), Runtime.getRuntime().availableProcessors() + " threads");
        }
    }

    /** The 1B model's logits after an 8-token prompt: GPU (measured earlier) against the CPU backend's Java kernels. */
    private void compareWithCpu(Path file) {
        if (gpuLogitsQ8 == null) {
            watch.log("no GPU logits of the 1B Q8_0 model to compare with the CPU");
            return;
        }
        if (!watch.hasTime(20, "the 1B logits comparison")) {
            return;
        }
        watch.stage("1B Q8_0: the same 8-token prompt on the CPU backend (Java kernels)", 40);
        try (Model model = Model.load(file);
             CpuBackend cpu = new CpuBackend(model, Runtime.getRuntime().availableProcessors(), KernelChoice.JAVA, 2,
                     BLOCK_SIZE)) {
            float[] onCpu = cpu.forward(ForwardBatch.ofSequence(COMPARE_PROMPT, 0, new int[] {0, 1}));
            double scale = 0;
            double worst = 0;
            for (int i = 0; i < onCpu.length; i++) {
                scale = Math.max(scale, Math.abs(onCpu[i]));
                worst = Math.max(worst, Math.abs(gpuLogitsQ8[i] - onCpu[i]));
            }
            watch.log("1B-shaped Q8_0 model: largest logit difference GPU vs CPU %.3g, relative to the largest logit"
                    + " %.3g: %.3g", worst, scale, worst / scale);
        }
    }

    /** A workload's time limit: {@code seconds}, or what is left of the run if less (at least one step runs). */
    private double cap(double seconds) {
        return Math.min(seconds, watch.secondsLeft());
    }

    /** Weight bytes a decode step reads: all but the embedding, of which it reads one row (unless tied). */
    private static long decodeBytes(Model model) {
        long all = DeviceModel.deviceBytes(model.config(), model.weights());
        boolean tied = model.weights().output() == model.weights().tokenEmbedding();
        return tied ? all : all - WeightLayout.of(model.weights().tokenEmbedding()).bytes();
    }

    /** The single stream's share of what the HBM bandwidth allows when every weight is read once per token. */
    private String roofline(Throughput.Timing single, long weightBytes) {
        double bandwidth = device.peakBandwidth() > 0 ? device.peakBandwidth() : nominalBandwidth(device.name());
        double ceiling = bandwidth / weightBytes;
        return String.format("%.1f%% of the %.0f tok/s roofline (%.3f GB of weights at %.2f TB/s)",
                100 * single.tokensPerSecond() / ceiling, ceiling, weightBytes / 1e9, bandwidth / 1e12);
    }

    /** Datasheet HBM bandwidth where the driver does not report the memory clock. */
    private static double nominalBandwidth(String name) {
        return name.contains("H200") ? 4.8e12 : name.contains("H100") ? 3.35e12 : Double.NaN;
    }

    /** Appends one row to bench.md and logs it. */
    private void add(String model, String backend, String workload, int sequences, Throughput.Timing t, String note) {
        String row = String.format("| %s | %s | %s | %d | %.1f | %s%.2f s |", model, backend, workload, sequences,
                t.tokensPerSecond(), note.isEmpty() ? "" : note + "; ", t.seconds());
        watch.log("%s", row);
        try {
            Files.writeString(table, row + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to " + table, e);
        }
    }
}
