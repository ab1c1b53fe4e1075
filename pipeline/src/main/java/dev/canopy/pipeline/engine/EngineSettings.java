package dev.canopy.pipeline.engine;

import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.tensor.KernelChoice;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.EngineSizeChecks;
import dev.canopy.executor.kv.KvCacheType;

/**
 * How executors run the engine; serializable, sent with each task.
 *
 * @param threads        kernel threads; {@link #EXECUTOR_CORES} means the executor's cores
 *                       ({@code spark.executor.cores}, else all of the machine's)
 * @param maxSeqs        most sequences in one engine step
 * @param maxBatchTokens most tokens in one engine step
 * @param kvBudgetBytes  KV cache bytes per engine
 * @param blockSize      tokens per KV block
 * @param prefixCaching  share the KV of common prefixes
 * @param kernels        CPU kernel implementation
 * @param backend        CPU, CUDA, or AUTO (a GPU when usable, else the CPU); a GPU Spark assigned to the task
 *                       ({@code spark.task.resource.gpu.amount}) is used instead of GPU 0
 * @param kvType         how the KV cache stores keys and values: F32, Q8 or Q4 (null: F32); a quantized cache runs
 *                       on the CPU (AUTO picks it) and fits more tokens in {@code kvBudgetBytes}
 * @param gpu            the GPU's arithmetic (null: {@link GpuSettings#defaults()}: tensor cores on, shared-prefix
 *                       attention off, which keeps each row's output independent of its batch and partition);
 *                       ignored on the CPU
 * @param maxOutputBytes most UTF-8 bytes of one sample's text (0: the engine's default, 4 MiB); a longer one is cut
 *                       there with finish reason {@code output_limit}
 */
public record EngineSettings(int threads, int maxSeqs, int maxBatchTokens, long kvBudgetBytes, int blockSize,
                             boolean prefixCaching, KernelChoice kernels, BackendKind backend, KvCacheType kvType,
                             GpuSettings gpu, long maxOutputBytes)
        implements Serializable {

    /** The value of {@code threads} that means "the executor's cores". */
    public static final int EXECUTOR_CORES = 0;

    public EngineSettings {
        if (threads < 0) {
            throw new IllegalArgumentException("Cannot use engine threads " + threads
                    + ": it must be >= 1, or 0 for the executor's cores");
        }
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(backend, "backend");
        if (kvType == null) {
            kvType = EngineConfig.DEFAULT_KV_TYPE;
        }
        if (gpu == null) {
            gpu = GpuSettings.defaults();
        }
        EngineSizeChecks.check(threads == EXECUTOR_CORES ? 1 : threads, maxSeqs, maxBatchTokens, kvBudgetBytes,
                blockSize);
        maxOutputBytes = EngineSizeChecks.maxOutputBytes(maxOutputBytes);
    }

    /** Settings with the engine's default output cap. */
    public EngineSettings(int threads, int maxSeqs, int maxBatchTokens, long kvBudgetBytes, int blockSize,
                          boolean prefixCaching, KernelChoice kernels, BackendKind backend, KvCacheType kvType,
                          GpuSettings gpu) {
        this(threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels, backend, kvType, gpu,
                0);
    }

    /** Settings with the {@link GpuSettings#defaults() default GPU arithmetic}. */
    public EngineSettings(int threads, int maxSeqs, int maxBatchTokens, long kvBudgetBytes, int blockSize,
                          boolean prefixCaching, KernelChoice kernels, BackendKind backend, KvCacheType kvType) {
        this(threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels, backend, kvType,
                GpuSettings.defaults());
    }

    /** The engine's defaults ({@link EngineConfig}'s {@code DEFAULT_*}), with the executor's cores as threads. */
    public static EngineSettings defaults() {
        return new EngineSettings(EXECUTOR_CORES, EngineConfig.DEFAULT_MAX_SEQS, EngineConfig.DEFAULT_MAX_BATCH_TOKENS,
                EngineConfig.DEFAULT_KV_BUDGET, EngineConfig.DEFAULT_BLOCK_SIZE, EngineConfig.DEFAULT_PREFIX_CACHING,
                EngineConfig.DEFAULT_KERNELS, EngineConfig.DEFAULT_BACKEND, EngineConfig.DEFAULT_KV_TYPE,
                GpuSettings.defaults(), EngineConfig.DEFAULT_MAX_OUTPUT_BYTES);
    }

    /**
     * The settings of {@code config} without its model and offload (executors run without KV offload): the
     * inverse of {@link #config}, for a command that builds an engine config from flags and then runs a Spark job.
     */
    public static EngineSettings of(EngineConfig config) {
        return new EngineSettings(config.threads(), config.maxSeqs(), config.maxBatchTokens(), config.kvBudgetBytes(),
                config.blockSize(), config.prefixCaching(), config.kernels(), config.backend(), config.kvType(),
                config.gpu(), config.maxOutputBytes());
    }

    /** The engine config for {@code model}, with {@code executorCores} standing in for {@link #EXECUTOR_CORES}. */
    public EngineConfig config(Path model, int executorCores) {
        return new EngineConfig(model, threads == EXECUTOR_CORES ? executorCores : threads, maxSeqs, maxBatchTokens,
                kvBudgetBytes, blockSize, prefixCaching, kernels).withBackend(backend).withKvType(kvType).withGpu(gpu)
                .withMaxOutputBytes(maxOutputBytes);
    }

    public EngineSettings withThreads(int value) {
        return new EngineSettings(value, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels,
                backend, kvType, gpu, maxOutputBytes);
    }

    public EngineSettings withMaxSeqs(int value) {
        return new EngineSettings(threads, value, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels,
                backend, kvType, gpu, maxOutputBytes);
    }

    public EngineSettings withMaxBatchTokens(int value) {
        return new EngineSettings(threads, maxSeqs, value, kvBudgetBytes, blockSize, prefixCaching, kernels, backend,
                kvType, gpu, maxOutputBytes);
    }

    public EngineSettings withKvBudgetBytes(long value) {
        return new EngineSettings(threads, maxSeqs, maxBatchTokens, value, blockSize, prefixCaching, kernels,
                backend, kvType, gpu, maxOutputBytes);
    }

    public EngineSettings withBlockSize(int value) {
        return new EngineSettings(threads, maxSeqs, maxBatchTokens, kvBudgetBytes, value, prefixCaching, kernels,
                backend, kvType, gpu, maxOutputBytes);
    }

    public EngineSettings withPrefixCaching(boolean value) {
        return new EngineSettings(threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, value, kernels,
                backend, kvType, gpu, maxOutputBytes);
    }

    public EngineSettings withKernels(KernelChoice value) {
        return new EngineSettings(threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, value,
                backend, kvType, gpu, maxOutputBytes);
    }

    public EngineSettings withKvType(KvCacheType value) {
        return new EngineSettings(threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels,
                backend, value, gpu, maxOutputBytes);
    }

    public EngineSettings withBackend(BackendKind value) {
        return new EngineSettings(threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels,
                value, kvType, gpu, maxOutputBytes);
    }

    /** These settings with the GPU doing the arithmetic {@code value} asks for. */
    public EngineSettings withGpu(GpuSettings value) {
        return new EngineSettings(threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels,
                backend, kvType, value, maxOutputBytes);
    }

    /** These settings with samples cut at {@code value} bytes of UTF-8 text. */
    public EngineSettings withMaxOutputBytes(long value) {
        return new EngineSettings(threads, maxSeqs, maxBatchTokens, kvBudgetBytes, blockSize, prefixCaching, kernels,
                backend, kvType, gpu, value);
    }
}
