package dev.canopy.executor.engine;

import dev.canopy.executor.engine.offload.OffloadConfig;
import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.tensor.KernelChoice;
import java.nio.file.Path;

/**
 * How an {@link Engine} runs a model. Immutable; validated on construction.
 *
 * @param model          GGUF file
 * @param threads        CPU threads for the kernels
 * @param maxSeqs        most sequences running in one step
 * @param maxBatchTokens most tokens (decode + prefill chunks) in one step
 * @param kvBudgetBytes  bytes of KV cache to allocate
 * @param blockSize      tokens per KV block
 * @param prefixCaching  whether full KV blocks are shared between sequences with the same prefix
 * @param kernels        which CPU kernel implementation to use
 * @param backend        where the model runs: {@code CPU}, {@code CUDA} (GPU 0; fails where there is none) or
 *                       {@code AUTO} (GPU 0 when usable, else the CPU, logging why); the KV budget sizes
 *                       the cache on either
 * @param offload        where preempted sequences' KV may be swapped to (null: {@link OffloadConfig#none()})
 * @param kvType         how the KV cache stores keys and values (null: {@link KvCacheType#F32}); a quantized
 *                       type fits more tokens in {@code kvBudgetBytes} and runs on the CPU backend only
 * @param gpu            the GPU's arithmetic (null: {@link GpuSettings#defaults()}, tensor cores on and shared-prefix
 *                       attention off); the CPU backend ignores it
 * @param maxOutputBytes most UTF-8 bytes of text one sample may produce (0: {@link #DEFAULT_MAX_OUTPUT_BYTES}); a
 *                       sample that reaches it ends with {@code OUTPUT_LIMIT}, its text cut there on a character
 *                       boundary, so that no vocabulary can make one row's output grow without bound
 */
public record EngineConfig(Path model, int threads, int maxSeqs, int maxBatchTokens, long kvBudgetBytes,
                           int blockSize, boolean prefixCaching, KernelChoice kernels, BackendKind backend,
                           OffloadConfig offload, KvCacheType kvType, GpuSettings gpu, long maxOutputBytes) {

    public static final int DEFAULT_MAX_SEQS = 64;
    public static final int DEFAULT_MAX_BATCH_TOKENS = 512;
    public static final long DEFAULT_KV_BUDGET = 1L << 30;
    public static final int DEFAULT_BLOCK_SIZE = 16;
    /** 4 MiB: about a million tokens of ordinary text, far beyond any row's max_tokens. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 4L << 20;
    public static final boolean DEFAULT_PREFIX_CACHING = true;
    public static final KernelChoice DEFAULT_KERNELS = KernelChoice.AUTO;
    /** The GPU where one is usable, else the CPU. */
    public static final BackendKind DEFAULT_BACKEND = BackendKind.AUTO;
    public static final KvCacheType DEFAULT_KV_TYPE = KvCacheType.F32;

    public EngineConfig {
        if (model == null) {
            throw new IllegalArgumentException("Cannot configure engine: model path is not set");
        }
        EngineSizeChecks.check(threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize);
        if (kernels == null) {
            kernels = DEFAULT_KERNELS;
        }
        if (backend == null) {
            backend = DEFAULT_BACKEND;
        }
        if (offload == null) {
            offload = OffloadConfig.none();
        }
        if (kvType == null) {
            kvType = DEFAULT_KV_TYPE;
        }
        if (gpu == null) {
            gpu = GpuSettings.defaults();
        }
        maxOutputBytes = EngineSizeChecks.maxOutputBytes(maxOutputBytes);
    }

    /** A config with the {@link #DEFAULT_MAX_OUTPUT_BYTES default output cap}. */
    public EngineConfig(Path model, int threads, int maxSeqs, int maxBatchTokens, long kvBudgetBytes, int blockSize,
                        boolean prefixCaching, KernelChoice kernels, BackendKind backend, OffloadConfig offload,
                        KvCacheType kvType, GpuSettings gpu) {
        this(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels, backend, offload,
                kvType, gpu, DEFAULT_MAX_OUTPUT_BYTES);
    }

    /** A config with the {@link GpuSettings#defaults() default GPU arithmetic}. */
    public EngineConfig(Path model, int threads, int maxSeqs, int maxBatchTokens, long kvBudgetBytes, int blockSize,
                        boolean prefixCaching, KernelChoice kernels, BackendKind backend, OffloadConfig offload,
                        KvCacheType kvType) {
        this(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels, backend, offload,
                kvType, GpuSettings.defaults());
    }

    /** A config with an {@link KvCacheType#F32 F32} KV cache. */
    public EngineConfig(Path model, int threads, int maxSeqs, int maxBatchTokens, long kvBudgetBytes, int blockSize,
                        boolean prefixCaching, KernelChoice kernels, BackendKind backend, OffloadConfig offload) {
        this(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels, backend, offload,
                KvCacheType.F32, GpuSettings.defaults());
    }

    /** A config on the {@link #DEFAULT_BACKEND default backend} without KV offload. */
    public EngineConfig(Path model, int threads, int maxSeqs, int maxBatchTokens, long kvBudgetBytes, int blockSize,
                        boolean prefixCaching, KernelChoice kernels) {
        this(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels,
                DEFAULT_BACKEND, OffloadConfig.none(), DEFAULT_KV_TYPE, GpuSettings.defaults());
    }

    /**
     * Defaults for {@code model}: all cores, 64 sequences, 512 tokens per step, 1 GiB of KV, blocks of 16,
     * the GPU where one is usable (tensor cores on, shared-prefix attention off), no KV offload, an F32 KV cache.
     * The engine's defaults are the {@code DEFAULT_*} constants here; the other layers refer to them.
     */
    public static EngineConfig defaults(Path model) {
        return new EngineConfig(model, Runtime.getRuntime().availableProcessors(), DEFAULT_MAX_SEQS,
                DEFAULT_MAX_BATCH_TOKENS, DEFAULT_KV_BUDGET, DEFAULT_BLOCK_SIZE, DEFAULT_PREFIX_CACHING,
                DEFAULT_KERNELS);
    }

    public EngineConfig withThreads(int n) {
        return new EngineConfig(model, n, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels,
                backend, offload, kvType, gpu, maxOutputBytes);
    }

    public EngineConfig withMaxSeqs(int n) {
        return new EngineConfig(model, threads, n, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels,
                backend, offload, kvType, gpu, maxOutputBytes);
    }

    public EngineConfig withMaxBatchTokens(int n) {
        return new EngineConfig(model, threads, maxSeqs, n, kvBudgetBytes, blockSize, prefixCaching, kernels, backend,
                offload, kvType, gpu, maxOutputBytes);
    }

    public EngineConfig withKvBudgetBytes(long n) {
        return new EngineConfig(model, threads, maxSeqs, maxBatchTokens, n, blockSize, prefixCaching, kernels, backend,
                offload, kvType, gpu, maxOutputBytes);
    }

    public EngineConfig withBlockSize(int n) {
        return new EngineConfig(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, n, prefixCaching, kernels,
                backend, offload, kvType, gpu, maxOutputBytes);
    }

    public EngineConfig withPrefixCaching(boolean on) {
        return new EngineConfig(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, on, kernels,
                backend, offload, kvType, gpu, maxOutputBytes);
    }

    public EngineConfig withKernels(KernelChoice k) {
        return new EngineConfig(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, k,
                backend, offload, kvType, gpu, maxOutputBytes);
    }

    /** This config on backend {@code kind}. */
    public EngineConfig withBackend(BackendKind kind) {
        return new EngineConfig(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching,
                kernels, kind, offload, kvType, gpu, maxOutputBytes);
    }

    /** This config with the KV cache stored as {@code type}. */
    public EngineConfig withKvType(KvCacheType type) {
        return new EngineConfig(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching,
                kernels, backend, offload, type, gpu, maxOutputBytes);
    }

    /** This config with KV offload {@code o}. */
    public EngineConfig withOffload(OffloadConfig o) {
        return new EngineConfig(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching,
                kernels, backend, o, kvType, gpu, maxOutputBytes);
    }

    /** This config with the GPU doing the arithmetic {@code settings} asks for. */
    public EngineConfig withGpu(GpuSettings settings) {
        return new EngineConfig(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching,
                kernels, backend, offload, kvType, settings, maxOutputBytes);
    }

    /** This config with samples cut at {@code bytes} of UTF-8 text. */
    public EngineConfig withMaxOutputBytes(long bytes) {
        return new EngineConfig(model, threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching,
                kernels, backend, offload, kvType, gpu, bytes);
    }
}
