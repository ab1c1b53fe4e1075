package dev.canopy.executor.cuda;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.SyntheticModel;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.KernelBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Throughput of the GPU backend, written as a markdown table to {@code <out>/bench.md}: on stories260K
 * (F32 and Q8_0) and on a synthetic model shaped like Llama 3.2 1B (dim 2048, 16 layers, 32 heads, 8 KV
 * heads, FFN 8192; vocabulary 32000) in Q8_0 (fp32 path and tensor cores) and BF16: single-stream decode
 * with its fraction of the HBM roofline, lockstep decode of 64 and 256 sequences, and a 512-token
 * prefill. The CPU backend runs the stories260K single stream for scale, and the 1B model's first
 * logits are compared with it.
 *
 * <p>Usage: {@code CudaBenchmark generate <work dir>} writes the synthetic models (on the CPU; run it
 * beside the GPU tests to save time; exits 2 without a GPU), then {@code CudaBenchmark run <out dir> <work dir>} measures,
 * writing models still missing. {@code run} exits 2 without a GPU.
 */
public final class CudaBenchmark {

    static final SyntheticModel.Shape LLAMA_1B = new SyntheticModel.Shape(2048, 16, 32, 8, 8192, 32000, 2048);
    private static final int BLOCK_SIZE = 16;
    private static final int PROMPT = 16;
    private static final int STEPS = 32;
    private static final List<GgmlType> LARGE_TYPES = List.of(GgmlType.Q8_0, GgmlType.BF16);

    private final List<String> rows = new ArrayList<>();
    private final DeviceInfo device;
    private final Path table; // bench.md, rewritten after every row so a timeout keeps what was measured

    private CudaBenchmark(DeviceInfo device, Path table) {
        this.device = device;
        this.table = table;
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("generate")) {
            if (!CudaBackend.isAvailable()) {
                System.err.println("No models written: there is no GPU to benchmark them on");
                System.exit(2);
            }
            for (GgmlType type : LARGE_TYPES) {
                synthetic(Path.of(args[1]), type);
            }
            return;
        }
        if (args.length != 3 || !args[0].equals("run")) {
            System.err.println("usage: CudaBenchmark generate <work dir> | CudaBenchmark run <out dir> <work dir>");
            System.exit(1);
        }
        CudaAvailability a = CudaBackend.availability();
        if (!a.available()) {
            System.err.println("No GPU benchmark: " + a.detail());
            System.exit(2);
        }
        Path out = Files.createDirectories(Path.of(args[1]));
        System.out.println(a.detail());
        CudaBenchmark bench;
        try (CudaContext context = CudaContext.open(0)) {
            bench = new CudaBenchmark(context.info(), out.resolve("bench.md"));
        }
        bench.stories(TestModels.stories260kF32());
        bench.stories(TestModels.stories260kQ8());
        for (GgmlType type : LARGE_TYPES) {
            bench.large(synthetic(Path.of(args[2]), type), type == GgmlType.Q8_0);
        }
        System.out.print(bench.table());
    }

    /** The 1B-shaped model of {@code type} in {@code work}, written unless a finished one is there. */
    static Path synthetic(Path work, GgmlType type) throws IOException {
        Path file = Files.createDirectories(work).resolve("llama1b-shape-" + type + ".gguf");
        if (!Files.exists(file)) {
            long t0 = System.nanoTime();
            SyntheticModel.write(file, LLAMA_1B, type, 1); // writes to a temporary file, then moves it
            System.out.printf("wrote %s (%d bytes) in %.1f s%n", file, Files.size(file), (System.nanoTime() - t0) / 1e9);
        }
        return file;
    }

    private void stories(Path file) {
        try (Model model = Model.load(file)) {
            String name = file.getFileName().toString();
            int blocks = Throughput.blocksFor(256, PROMPT + 128, BLOCK_SIZE);
            try (CpuBackend cpu = new CpuBackend(model, Runtime.getRuntime().availableProcessors(), KernelBackend.AUTO,
                    blocks, BLOCK_SIZE)) {
                Throughput t = new Throughput(cpu, model.config().vocab());
                t.decode(1, PROMPT, 8, 512); // warm-up
                add(name, "cpu", "decode, 1 sequence", 1, t.decode(1, PROMPT, 128, 512), "");
            }
            runGpu(name, model, CudaOptions.of(blocks, BLOCK_SIZE), 128, false);
        }
    }

    private void large(Path file, boolean compareWithCpu) {
        try (Model model = Model.load(file)) {
            String name = file.getFileName().toString();
            int blocks = Throughput.blocksFor(256, 512 + STEPS, BLOCK_SIZE);
            runGpu(name, model, CudaOptions.of(blocks, BLOCK_SIZE), 64, compareWithCpu);
            if (compareWithCpu) { // the Q8_0 model: also on tensor cores
                runGpu(name, model, CudaOptions.of(blocks, BLOCK_SIZE).withTensorCores(true), 64, true);
            }
        }
    }

    /** Runs the GPU workloads with CUDA graphs; if that fails, says so and runs them without. */
    private void runGpu(String name, Model model, CudaOptions options, int singleSteps, boolean compareWithCpu) {
        try {
            runGpu(name, model, options, singleSteps, compareWithCpu, "");
        } catch (RuntimeException e) {
            System.out.println("FAILED with CUDA graphs on " + name + ": " + e);
            e.printStackTrace(System.out);
            runGpu(name, model, options.withGraphs(false), singleSteps, compareWithCpu, "graphs off after: " + e);
        }
    }

    private void runGpu(String name, Model model, CudaOptions options, int singleSteps, boolean compareWithCpu,
                        String note) {
        long t0 = System.nanoTime();
        try (CudaBackend gpu = new CudaBackend(model, options)) {
            System.out.printf("loaded %s onto the GPU in %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
            String backend = gpu.name() + (options.tensorCores() ? " tensor cores" : "")
                    + (options.graphs() ? "" : " (no graphs)");
            if (compareWithCpu) {
                compare(model, gpu, backend);
            }
            long weightBytes = decodeBytes(model);
            Throughput t = new Throughput(gpu, model.config().vocab());
            t.decode(1, PROMPT, 4, 512); // warm-up: module, JIT
            Throughput.Timing single = t.decode(1, PROMPT, singleSteps, 512);
            add(name, backend, "decode, 1 sequence", 1, single, roofline(single, weightBytes) + note);
            for (int sequences : new int[] {64, 256}) {
                add(name, backend, "decode, lockstep", sequences, t.decode(sequences, PROMPT, STEPS, 4096), note);
            }
            add(name, backend, "prefill 512 tokens", 1, t.prefill(512, 3), note);
        }
        if (options.graphs() && !options.tensorCores() && note.isEmpty()) {
            try (CudaBackend direct = new CudaBackend(model, options.withGraphs(false))) {
                Throughput t = new Throughput(direct, model.config().vocab());
                t.decode(1, PROMPT, 4, 512);
                add(name, direct.name() + " (no graphs)", "decode, 1 sequence", 1, t.decode(1, PROMPT, singleSteps, 512),
                        "kernel by kernel, for comparison");
            }
        }
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
        return String.format("%.1f%% of the %.0f tok/s roofline (%.3f GB of weights at %.2f TB/s) ",
                100 * single.tokensPerSecond() / ceiling, ceiling, weightBytes / 1e9, bandwidth / 1e12);
    }

    /** Datasheet HBM bandwidth where the driver does not report the memory clock. */
    private static double nominalBandwidth(String name) {
        return name.contains("H200") ? 4.8e12 : name.contains("H100") ? 3.35e12 : Double.NaN;
    }

    /** The 1B model's logits after an 8-token prompt: GPU against the CPU backend (Java kernels, float activations). */
    private static void compare(Model model, Backend gpu, String label) {
        int[] prompt = {1, 500, 1000, 1500, 2000, 2500, 3000, 3500};
        int[] table = {100, 101};
        float[] onGpu = gpu.forward(ForwardBatch.ofSequence(prompt, 0, table));
        try (CpuBackend cpu = new CpuBackend(model, Runtime.getRuntime().availableProcessors(), KernelBackend.JAVA, 2,
                BLOCK_SIZE)) {
            float[] onCpu = cpu.forward(ForwardBatch.ofSequence(prompt, 0, new int[] {0, 1}));
            double scale = 0;
            double worst = 0;
            for (int i = 0; i < onCpu.length; i++) {
                scale = Math.max(scale, Math.abs(onCpu[i]));
                worst = Math.max(worst, Math.abs(onGpu[i] - onCpu[i]));
            }
            System.out.printf("1B-shaped model (%s): largest logit difference GPU vs CPU %.3g, relative to the"
                    + " largest logit %.3g: %.3g%n", label, worst, scale, worst / scale);
        }
    }

    private void add(String model, String backend, String workload, int sequences, Throughput.Timing t, String note) {
        String row = String.format("| %s | %s | %s | %d | %.1f | %s |", model, backend, workload, sequences,
                t.tokensPerSecond(), note);
        System.out.println(row);
        rows.add(row);
        try {
            Files.writeString(table, table());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + table, e);
        }
    }

    private String table() {
        StringBuilder sb = new StringBuilder("Device: " + device.describe() + "\n\n"
                + "| model | backend | workload | sequences | tokens/s | note |\n|---|---|---|---|---|---|\n");
        rows.forEach(r -> sb.append(r).append('\n'));
        return sb.toString();
    }

}
