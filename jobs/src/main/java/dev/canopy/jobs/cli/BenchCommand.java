package dev.canopy.jobs.cli;

import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelBackend;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
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
                                    [--kernels auto|native|java] [--json]
                       canopy bench --model FILE.gguf --workload shared-prefix [--groups 4] [--per-group 16]
                                    [--prefix-len 512] [--suffix-len 32] [--output-len 64] [engine flags] [--json]
                       canopy bench --model FILE.gguf --workload random [--prompt-len A:B] [--output-len C:D]
                                    [--requests N] [engine flags] [--json]
                  engine flags: --max-seqs N --max-batch-tokens N --kv-budget SIZE --no-prefix-cache --seed S""";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) {
        Args a = Args.parse(name(), argv, Set.of("model", "prompt-len", "gen-len", "threads", "kernels", "warmup",
                "workload", "groups", "per-group", "prefix-len", "suffix-len", "output-len", "requests", "max-seqs",
                "max-batch-tokens", "kv-budget", "seed"), Set.of("json", "no-prefix-cache"));
        Map<String, Object> r = a.has("workload") ? workload(a) : singleStream(a);
        if (a.has("json")) {
            out.println(InspectCommand.json(r));
        } else {
            r.forEach((k, v) -> out.printf("  %-26s %s%n", k, v));
        }
        return 0;
    }

    private Map<String, Object> singleStream(Args a) {
        Path path = Path.of(a.required("model"));
        int promptLen = a.intValue("prompt-len", 128);
        int genLen = a.intValue("gen-len", 64);
        int threads = a.intValue("threads", Runtime.getRuntime().availableProcessors());
        int warmup = a.intValue("warmup", 2);
        if (promptLen < 1 || genLen < 1 || threads < 1 || warmup < 0) {
            throw new UsageException("canopy bench: --prompt-len, --gen-len and --threads must be positive");
        }
        try (Model model = Model.load(path)) {
            int blockSize = 16;
            int blocks = (promptLen + genLen + warmup + blockSize) / blockSize + 1;
            try (CpuBackend backend = new CpuBackend(model, threads, kernels(a), blocks, blockSize)) {
                Map<String, Object> r = SingleStreamBench.run(model, backend, promptLen, genLen, warmup);
                r.put("threads", threads);
                r.put("kernels", backend.kernels().name().toLowerCase(Locale.ROOT));
                return r;
            }
        }
    }

    private Map<String, Object> workload(Args a) {
        EngineConfig config = GenerateCommand.engineConfig(a);
        long seed = a.longValue("seed", 1);
        String kind = a.required("workload");
        try (Engine engine = Engine.open(config)) {
            int vocab = engine.model().config().vocab();
            List<GenerationRequest> reqs = switch (kind) {
                case "shared-prefix" -> Workload.sharedPrefix(vocab, a.intValue("groups", 4), a.intValue("per-group", 16),
                        a.intValue("prefix-len", 512), a.intValue("suffix-len", 32), a.intValue("output-len", 64), seed);
                case "random" -> Workload.random(vocab, a.intValue("requests", 32),
                        Workload.Range.parse("prompt-len", a.get("prompt-len").orElse("128:512")),
                        Workload.Range.parse("output-len", a.get("output-len").orElse("64:128")), seed);
                default -> throw new UsageException("canopy bench: --workload must be shared-prefix or random, got '"
                        + kind + "'");
            };
            Map<String, Object> r = new java.util.LinkedHashMap<>();
            r.put("model", config.model().toString());
            r.put("workload", kind);
            r.put("max_seqs", config.maxSeqs());
            r.put("max_batch_tokens", config.maxBatchTokens());
            r.put("prefix_cache", config.prefixCaching());
            r.putAll(WorkloadBench.run(engine, reqs));
            return r;
        }
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
