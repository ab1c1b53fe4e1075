package dev.canopy.jobs.cli;

import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelBackend;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code canopy bench}: measured throughput of the engine on a model. */
public final class BenchCommand implements Command {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure prefill/decode tokens/s and bandwidth (single stream) or a batched workload";
    }

    @Override
    public String usage() {
        return """
                usage: canopy bench --model FILE.gguf [--prompt-len 128] [--gen-len 64] [--threads N]
                                    [--kernels auto|native|java] [--json]""";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) {
        Args a = Args.parse(name(), argv, Set.of("model", "prompt-len", "gen-len", "threads", "kernels", "warmup"),
                Set.of("json"));
        Path path = Path.of(a.required("model"));
        int promptLen = a.intValue("prompt-len", 128);
        int genLen = a.intValue("gen-len", 64);
        int threads = a.intValue("threads", Runtime.getRuntime().availableProcessors());
        int warmup = a.intValue("warmup", 2);
        if (promptLen < 1 || genLen < 1 || threads < 1 || warmup < 0) {
            throw new UsageException("canopy bench: --prompt-len, --gen-len and --threads must be positive");
        }
        KernelBackend kernels = kernels(a);
        try (Model model = Model.load(path)) {
            int blockSize = 16;
            int blocks = (promptLen + genLen + warmup + blockSize) / blockSize + 1;
            try (CpuBackend backend = new CpuBackend(model, threads, kernels, blocks, blockSize)) {
                Map<String, Object> r = SingleStreamBench.run(model, backend, promptLen, genLen, warmup);
                r.put("threads", threads);
                r.put("kernels", backend.kernels().name().toLowerCase(Locale.ROOT));
                if (a.has("json")) {
                    out.println(InspectCommand.json(r));
                } else {
                    out.printf("%s (%s kernels, %d threads)%n", path, r.get("kernels"), threads);
                    out.printf("  prefill %6d tokens: %10.1f tokens/s%n", promptLen, (Double) r.get("prefill_tokens_per_s"));
                    out.printf("  decode  %6d tokens: %10.1f tokens/s, %.2f GB/s of weights (%,d bytes/token)%n",
                            genLen, (Double) r.get("decode_tokens_per_s"), (Double) r.get("decode_bandwidth_gb_per_s"),
                            (Long) r.get("weight_bytes_per_token"));
                }
            }
        }
        return 0;
    }

    static KernelBackend kernels(Args a) {
        String k = a.get("kernels").orElse("auto");
        try {
            return KernelBackend.valueOf(k.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("canopy: --kernels must be auto, native or java, got '" + k + "'");
        }
    }
}
