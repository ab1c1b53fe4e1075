package dev.canopy.jobs.cli;

import dev.canopy.executor.backend.BackendSelector;
import dev.canopy.executor.cuda.CudaBackend;
import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelPath;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
    public List<Flag> flags() {
        return EngineFlags.withEngine(List.of(EngineFlags.MODEL,
                Flag.value("workload", "shared-prefix|random|mixed|long-output", "a batched workload through the "
                        + "engine instead of the single-stream bench"),
                Flag.value("prompt-len", "N", "prompt tokens; random: a range A:B ("
                        + BenchWorkload.defaultsOf("prompt-len") + ")"),
                Flag.value("gen-len", "N", "single stream: tokens decoded").withDefault("64"),
                Flag.value("warmup", "N", "single stream: untimed tokens first").withDefault("2"),
                Flag.value("output-len", "N", "tokens per request; random: a range C:D ("
                        + BenchWorkload.defaultsOf("output-len") + ")"),
                Flag.value("requests", "N", "requests (" + BenchWorkload.defaultsOf("requests") + ")"),
                Flag.value("groups", "N", "prefix groups (" + BenchWorkload.defaultsOf("groups") + ")"),
                Flag.value("per-group", "N", "requests per group (" + BenchWorkload.defaultsOf("per-group") + ")"),
                Flag.value("prefix-len", "N", "shared prefix tokens (" + BenchWorkload.defaultsOf("prefix-len") + ")"),
                Flag.value("suffix-len", "N", "tokens after the prefix (" + BenchWorkload.defaultsOf("suffix-len")
                        + ")"),
                Flag.value("decode-requests", "N", "mixed: decode-heavy requests").withDefault("32"),
                Flag.value("decode-prompt-len", "A:B", "mixed: their prompt tokens").withDefault("16:64"),
                Flag.value("decode-output-len", "N", "mixed: their output tokens").withDefault("256"),
                Flag.value("seed", "S", "workload seed").withDefault("1"),
                Flag.value("order", "input|planned", "workload order: as generated, or by the batch planner")
                        .withDefault("input"),
                Flag.value("compare", "prefix-cache|order|offload|spark", "run the workload twice (or more) in one "
                        + "process and report each run and the speed ratio (below)"),
                Flag.value("budgets", "P,P...", "--compare offload: KV pool sizes, % of the working set")
                        .withDefault("50,25"),
                Flag.value("partitions", "N", "--compare spark: partitions of the batch job"),
                Flag.value("spark-master", "URL", "--compare spark: the Spark master").withDefault("local[*]"),
                Flag.toggle("cold-spark", "--compare spark: no untimed warm-up job first"),
                Flag.value("vs", "FILE[,FILE...]", "single-stream bench of --model and of each FILE in one process "
                        + "(below)"),
                Flag.value("rounds", "N", "--vs: rounds, alternating the models").withDefault("2"),
                Flag.toggle("json", "print the report as JSON")));
    }

    @Override
    public String notes() {
        return """
                --vs FILE[,FILE...]: single-stream bench of --model and of each FILE in one process, every model
                              once a round (odd rounds in reverse order; best round per model), with each one's
                              decode and prefill tokens/s as a ratio to --model's, and its decode ratio within each
                              round and their median (decode_ratio_per_round, decode_ratio_median)
                --compare prefix-cache|order: run the workload twice in one process (prefix cache on/off, or input
                              order/planned order) and report both runs and the speed ratio
                --compare offload [--budgets 50,25]: run the workload (default long-output) with the KV pool at 100%
                              of its working set, then at each budget (% of it) with recompute, LRU swap and plan-aware
                              swap (to --offload, default host; --host-kv defaults to the working set; --preempt
                              defaults to swap); report throughput, preemptions and bytes moved per tier
                --compare spark [--partitions N] [--spark-master local[*]] [--cold-spark]: the workload's prompts as
                              text in Parquet through the batch job on Spark, then the engine alone on the same tokens
                              (same threads and engine flags), and Spark's share of the job's wall time,
                              (job - engine) / job""";
    }

    @Override
    public int run(Args a, PrintStream out, PrintStream err) {
        if (a.get("compare").filter("offload"::equals).isPresent()) {
            Map<String, Object> r = OffloadComparison.run(a, EngineFlags.config(a),
                    a.get("workload").orElse("long-output"));
            if (a.has("json")) {
                out.println(InspectCommand.json(r));
            } else {
                OffloadComparison.printTable(r, out);
            }
            return 0;
        }
        Map<String, Object> r = a.has("workload") ? workload(a)
                : a.has("vs") ? ModelComparison.run(a, this::singleStream) : singleStream(a, EngineFlags.modelFile(a));
        if (a.has("json")) {
            out.println(InspectCommand.json(r));
        } else {
            print(r, out, "");
        }
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> r, PrintStream out, String indent) {
        r.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m) {
                out.printf("%s%s:%n", indent, k);
                print((Map<String, Object>) m, out, indent + "  ");
            } else {
                out.printf("%s  %-26s %s%n", indent, k, v);
            }
        });
    }

    /** Single-stream prefill and decode of the model at {@code path}, with {@code a}'s flags. */
    Map<String, Object> singleStream(Args a, Path path) {
        int promptLen = BenchWorkload.SINGLE_STREAM.intValue(a, "prompt-len");
        int genLen = a.intValue("gen-len");
        int threads = a.intValue("threads", Runtime.getRuntime().availableProcessors());
        int warmup = a.intValue("warmup");
        if (promptLen < 1 || genLen < 1 || threads < 1 || warmup < 0) {
            throw new UsageException("canopy bench: --prompt-len, --gen-len and --threads must be positive");
        }
        try (Model model = Model.load(path)) {
            int blockSize = 16;
            int blocks = (promptLen + genLen + warmup + blockSize) / blockSize + 1;
            GpuSettings gpu = GpuFlags.parse(a);
            try (Backend backend = BackendSelector.open(model, EngineFlags.backend(a), threads, EngineFlags.kernels(a), blocks,
                    blockSize, EngineFlags.kvType(a), gpu)) {
                Map<String, Object> r = SingleStreamBench.run(model, backend, promptLen, genLen, warmup);
                r.put("backend", backend.name());
                r.put("kv_type", backend.kvType().label());
                putGpuSettings(r, backend, gpu);
                r.put("threads", threads);
                if (backend instanceof CpuBackend cpu) {
                    r.put("kernels", cpu.kernels().name().toLowerCase(Locale.ROOT));
                    r.put("kernel_path", KernelPath.describe(EngineFlags.kernels(a)));
                    r.put("attention_path", cpu.attentionPath());
                }
                r.put("cpu", KernelPath.cpuModel());
                return r;
            }
        }
    }

    private Map<String, Object> workload(Args a) {
        EngineConfig config = EngineFlags.config(a);
        String compare = a.get("compare").orElse("none");
        String order = a.required("order");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", config.model().toString());
        r.put("workload", a.required("workload"));
        r.put("max_seqs", config.maxSeqs());
        r.put("max_batch_tokens", config.maxBatchTokens());
        r.put("kv_type", config.kvType().label());
        switch (compare) {
            case "none" -> r.putAll(runOnce(a, config, order));
            case "prefix-cache" -> {
                Map<String, Object> on = runOnce(a, config.withPrefixCaching(true), order);
                Map<String, Object> off = runOnce(a, config.withPrefixCaching(false), order);
                r.put("with_prefix_cache", on);
                r.put("without_prefix_cache", off);
                r.put("speedup_wall", ratio(off, on));
            }
            case "order" -> {
                Map<String, Object> input = runOnce(a, config, "input");
                Map<String, Object> planned = runOnce(a, config, "planned");
                r.put("input_order", input);
                r.put("planned_order", planned);
                r.put("speedup_wall", ratio(input, planned));
            }
            case "spark" -> {
                Path workDir = SparkComparison.workDir();
                try {
                    r.putAll(SparkComparison.run(a, config, a.required("spark-master"), workDir));
                } finally {
                    SparkComparison.delete(workDir);
                }
            }
            default -> throw new UsageException("canopy bench: --compare must be prefix-cache, order, offload or spark, got '"
                    + compare + "'");
        }
        return r;
    }

    private static double ratio(Map<String, Object> slow, Map<String, Object> fast) {
        return Math.round((Double) slow.get("wall_s") / (Double) fast.get("wall_s") * 1000) / 1000.0;
    }

    /** One run of the workload on a fresh engine (nothing cached from another run). */
    private Map<String, Object> runOnce(Args a, EngineConfig config, String order) {
        long seed = a.longValue("seed");
        try (Engine engine = Engine.open(config)) {
            List<GenerationRequest> reqs = requests(a, a.required("workload"), engine.model().config().vocab());
            WorkloadBench.warmUp(engine, seed);
            long t0 = System.nanoTime();
            List<GenerationRequest> ordered = switch (order) {
                case "input" -> reqs;
                case "planned" -> PlannedRequests.order(reqs, engine);
                default -> throw new UsageException("canopy bench: --order must be input or planned, got '" + order + "'");
            };
            double planSeconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("order", order);
            r.put("prefix_cache", config.prefixCaching());
            putGpuSettings(r, engine.backend(), config.gpu());
            r.putAll(WorkloadBench.run(engine, ordered));
            r.put("plan_s", Math.round(planSeconds * 1000) / 1000.0);
            return r;
        }
    }

    /** The requests of workload {@code kind} for a vocabulary of {@code vocab} tokens, from the workload flags. */
    static List<GenerationRequest> requests(Args a, String kind, int vocab) {
        long seed = a.longValue("seed");
        BenchWorkload w = BenchWorkload.named(kind);
        return switch (w) {
            case SHARED_PREFIX -> Workload.sharedPrefix(vocab, w.intValue(a, "groups"), w.intValue(a, "per-group"),
                    w.intValue(a, "prefix-len"), w.intValue(a, "suffix-len"), w.intValue(a, "output-len"), seed);
            case RANDOM -> Workload.random(vocab, w.intValue(a, "requests"),
                    Workload.Range.parse("prompt-len", w.value(a, "prompt-len")),
                    Workload.Range.parse("output-len", w.value(a, "output-len")), seed);
            case MIXED -> Workload.mixed(vocab, w.intValue(a, "groups"), w.intValue(a, "per-group"),
                    w.intValue(a, "prefix-len"), w.intValue(a, "suffix-len"), w.intValue(a, "output-len"),
                    a.intValue("decode-requests"),
                    Workload.Range.parse("decode-prompt-len", a.required("decode-prompt-len")),
                    a.intValue("decode-output-len"), seed);
            case LONG_OUTPUT -> {
                int n = w.intValue(a, "requests");
                int promptLen = w.intValue(a, "prompt-len");
                int outputLen = w.intValue(a, "output-len");
                if (n < 1 || promptLen < 1 || outputLen < 1) {
                    throw new UsageException("canopy bench: --requests, --prompt-len and --output-len must be positive,"
                            + " got " + n + ", " + promptLen + " and " + outputLen);
                }
                yield Workload.longOutput(vocab, n, promptLen, outputLen, seed);
            }
            case SINGLE_STREAM -> throw new IllegalStateException("the single stream is not a --workload");
        };
    }

    /** The GPU arithmetic into report {@code r}, when {@code backend} is a GPU (the CPU ignores it). */
    private static void putGpuSettings(Map<String, Object> r, Backend backend, GpuSettings gpu) {
        if (backend instanceof CudaBackend) {
            r.put("tensor_cores", gpu.tensorCores());
            r.put("shared_prefix_attention", gpu.sharedPrefixAttention());
        }
    }
}
