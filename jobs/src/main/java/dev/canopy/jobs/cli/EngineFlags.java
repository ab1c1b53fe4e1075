package dev.canopy.jobs.cli;

import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.hf.CheckpointLoadOptions;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.QuantScheme;
import dev.canopy.executor.tensor.KernelChoice;
import dev.canopy.jobs.units.ByteSize;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The engine flags of {@code generate}, {@code bench}, {@code plan} and {@code structured-bench}, declared once.
 * Their defaults are {@link EngineConfig}'s, read from it here, so help and docs show what the engine does; this
 * class is also the one mapping from the flags to an {@link EngineConfig}.
 */
public final class EngineFlags {

    public static final Flag MODEL = Flag.value("model", "FILE.gguf",
            "the model: a GGUF file, or a Hugging Face checkpoint directory");
    public static final Flag THREADS = Flag.value("threads", "N", "kernel threads (default: the machine's cores)");
    public static final Flag KERNELS = Flag.value("kernels", String.join("|", KernelChoice.NAMES.split(", | or ")),
            "CPU kernel path (docs/kernels.md)").withDefault(EngineConfig.DEFAULT_KERNELS.cliName());
    public static final Flag BACKEND = Flag.value("backend", "auto|cpu|cuda",
            "where the model runs: auto is the GPU where usable, else the CPU")
            .withDefault(EngineConfig.DEFAULT_BACKEND.name().toLowerCase(Locale.ROOT));
    public static final Flag KV_TYPE = Flag.value("kv-type", "f32|q8|q4",
            "KV cache storage: f32, q8 (8-bit) or q4 (4-bit, KIVI); quantized KV runs on the CPU backend")
            .withDefault(EngineConfig.DEFAULT_KV_TYPE.label());
    public static final Flag MAX_SEQS = Flag.value("max-seqs", "N", "most sequences in one engine step")
            .withDefault(Integer.toString(EngineConfig.DEFAULT_MAX_SEQS));
    public static final Flag MAX_BATCH_TOKENS = Flag.value("max-batch-tokens", "N", "most tokens in one engine step")
            .withDefault(Integer.toString(EngineConfig.DEFAULT_MAX_BATCH_TOKENS));
    public static final Flag KV_BUDGET = Flag.value("kv-budget", "SIZE", "KV cache size, e.g. 512m or 2g")
            .withDefault(ByteSize.format(EngineConfig.DEFAULT_KV_BUDGET));
    public static final Flag NO_PREFIX_CACHE = Flag.toggle("no-prefix-cache",
            "do not share the KV of common prompt prefixes");
    public static final Flag MAX_OUTPUT_BYTES = Flag.value("max-output-bytes", "SIZE",
            "a longer text is cut there, with finish_reason output_limit")
            .withDefault(ByteSize.format(EngineConfig.DEFAULT_MAX_OUTPUT_BYTES));

    public static final Flag QUANTIZE = Flag.value("quantize", QuantScheme.names().replace(", ", "|"),
            "quantize a Hugging Face checkpoint's weights at load (converted once, cached per scheme; a GGUF file is"
            + " quantized with `canopy quantize` instead)");

    /** The flags that size and place the engine, without the model. */
    public static final List<Flag> ENGINE = List.of(MAX_SEQS, MAX_BATCH_TOKENS, KV_BUDGET, NO_PREFIX_CACHE, THREADS,
            KERNELS, BACKEND, KV_TYPE, QUANTIZE);

    private EngineFlags() {
    }

    /** {@link #ENGINE}, the offload flags and the GPU flags, after {@code first}. */
    public static List<Flag> withEngine(List<Flag> first) {
        List<Flag> all = new ArrayList<>(first);
        all.addAll(ENGINE);
        all.addAll(OffloadFlags.FLAGS);
        all.addAll(GpuFlags.FLAGS);
        return List.copyOf(all);
    }

    /**
     * The file the engine maps for {@code --model}: the model itself, or with {@code --quantize} the checkpoint
     * directory's GGUF quantized with that scheme (converted on first use).
     *
     * @throws UsageException naming an unknown scheme
     */
    public static Path modelFile(Args a) {
        Path model = Path.of(a.required("model"));
        if (!a.has("quantize")) {
            return model;
        }
        String name = a.get("quantize").orElseThrow();
        QuantScheme scheme = QuantScheme.fromName(name).orElseThrow(() -> new UsageException(
                "canopy: --quantize must be one of " + QuantScheme.names() + ", got '" + name + "'"));
        return CheckpointLoadOptions.defaults().withQuantize(scheme).gguf(model);
    }

    /**
     * The engine config the flags give, {@link EngineConfig#defaults} for those not given (a command that does not
     * declare a flag gets its default).
     *
     * @throws UsageException naming a flag whose value the engine refuses
     */
    public static EngineConfig config(Args a) {
        EngineConfig c = EngineConfig.defaults(modelFile(a));
        try {
            return c.withThreads(a.intValue("threads", c.threads()))
                    .withMaxSeqs(a.intValue("max-seqs", c.maxSeqs()))
                    .withMaxBatchTokens(a.intValue("max-batch-tokens", c.maxBatchTokens()))
                    .withKvBudgetBytes(a.bytesValue("kv-budget", c.kvBudgetBytes()))
                    .withPrefixCaching(!a.has("no-prefix-cache"))
                    .withKernels(kernels(a))
                    .withBackend(backend(a))
                    .withKvType(kvType(a))
                    .withGpu(GpuFlags.parse(a))
                    .withOffload(OffloadFlags.parse(a))
                    .withMaxOutputBytes(a.bytesValue("max-output-bytes", c.maxOutputBytes()));
        } catch (IllegalArgumentException e) {
            throw new UsageException("canopy: " + e.getMessage());
        }
    }

    /** The {@code --backend} flag: auto (the GPU where usable, default), cpu or cuda; its default if not declared. */
    public static BackendKind backend(Args a) {
        try {
            return BackendKind.parse(a.get("backend").orElse(BACKEND.defaultValue().orElseThrow()));
        } catch (IllegalArgumentException e) {
            throw new UsageException("canopy: --backend: " + e.getMessage());
        }
    }

    /**
     * The {@code --kv-type} flag: f32 (default), q8 (8-bit) or q4 (4-bit, KIVI); quantized KV runs on the CPU backend.
     */
    public static KvCacheType kvType(Args a) {
        try {
            return KvCacheType.parse(a.get("kv-type").orElse(KV_TYPE.defaultValue().orElseThrow()));
        } catch (IllegalArgumentException e) {
            throw new UsageException("canopy: --kv-type: " + e.getMessage());
        }
    }

    /** The {@code --kernels} flag: the CPU kernel path, auto by default. */
    public static KernelChoice kernels(Args a) {
        String k = a.get("kernels").orElse(KERNELS.defaultValue().orElseThrow());
        return KernelChoice.fromName(k).orElseThrow(
                () -> new UsageException("canopy: --kernels must be " + KernelChoice.NAMES + ", got '" + k + "'"));
    }
}
