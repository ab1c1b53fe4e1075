package dev.canopy.executor.backend;

import dev.canopy.executor.cuda.CudaArchSupport;
import dev.canopy.executor.cuda.CudaAvailability;
import dev.canopy.executor.cuda.CudaBackend;
import dev.canopy.executor.cuda.CudaException;
import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelChoice;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** Opens the backend an engine asks for, by its configured {@link BackendKind} and what this machine has. */
public final class BackendSelector {

    private static final System.Logger LOG = System.getLogger(BackendSelector.class.getName());
    /** Whether "no GPU here" was logged: it cannot change within a process, so it is said once. */
    private static final AtomicBoolean NO_GPU_LOGGED = new AtomicBoolean();

    private BackendSelector() {}

    /**
     * Opens {@code model} on the backend {@code kind} names ({@link GpuSettings#defaults() default GPU arithmetic}):
     * {@code CPU}; {@code CUDA} on GPU 0, failing
     * with the reason when it cannot run here; {@code AUTO}, GPU 0 when {@link CudaBackend#isAvailable()}
     * and the model loads onto it, else the CPU, logging (at INFO) why the GPU was not used (once per process where
     * there is no usable GPU).
     *
     * @param threads   CPU kernel threads (CPU backend)
     * @param kernels   CPU kernel implementation (CPU backend)
     * @param numBlocks KV cache blocks
     * @param blockSize tokens per KV block
     * @throws CudaException if {@code CUDA} is asked for and unavailable, or the model does not fit the GPU
     * @throws IllegalArgumentException if {@code CUDA} is asked for and a weight type has no CUDA kernel
     */
    public static Backend open(Model model, BackendKind kind, int threads, KernelChoice kernels, int numBlocks,
                               int blockSize) {
        return open(model, kind, threads, kernels, numBlocks, blockSize, KvCacheType.F32);
    }

    /**
     * Like {@link #open(Model, BackendKind, int, KernelChoice, int, int)}, with the KV cache stored as
     * {@code kvType}. A quantized KV cache runs on the CPU only: {@code AUTO} then picks the CPU (logging why).
     *
     * @throws IllegalArgumentException if {@code CUDA} is asked for with a quantized KV cache
     */
    public static Backend open(Model model, BackendKind kind, int threads, KernelChoice kernels, int numBlocks,
                               int blockSize, KvCacheType kvType) {
        return open(model, kind, threads, kernels, numBlocks, blockSize, kvType, GpuSettings.defaults());
    }

    /**
     * Like {@link #open(Model, BackendKind, int, KernelChoice, int, int, KvCacheType)}, a GPU doing the arithmetic
     * {@code gpu} asks for ({@link GpuSettings#options}); the CPU backend ignores {@code gpu}.
     *
     * @throws IllegalArgumentException if {@code CUDA} is asked for with a quantized KV cache
     */
    public static Backend open(Model model, BackendKind kind, int threads, KernelChoice kernels, int numBlocks,
                               int blockSize, KvCacheType kvType, GpuSettings gpu) {
        if (kvType != KvCacheType.F32) {
            if (kind == BackendKind.CUDA) {
                throw new IllegalArgumentException("Cannot open the CUDA backend: the KV cache type " + kvType.label()
                        + " runs on the CPU backend only (choose kv type f32, or backend cpu or auto)");
            }
            if (kind == BackendKind.AUTO) {
                LOG.log(Level.INFO, "backend auto: running " + model.path().getFileName() + " on the CPU: the KV cache "
                        + "type " + kvType.label() + " runs on the CPU backend only");
            }
            return new CpuBackend(model, threads, kernels, numBlocks, blockSize, kvType);
        }
        Optional<String> cpuOnly = CudaArchSupport.autoFallbackReason(model.path().getFileName().toString(),
                model.config());
        if (kind == BackendKind.AUTO && cpuOnly.isPresent()) { // said before looking for a GPU: it holds on any machine
            LOG.log(Level.INFO, cpuOnly.get());
            return new CpuBackend(model, threads, kernels, numBlocks, blockSize);
        }
        return switch (kind) {
            case CPU -> new CpuBackend(model, threads, kernels, numBlocks, blockSize);
            case CUDA -> new CudaBackend(model, gpu.options(0, numBlocks, blockSize));
            case AUTO -> openAuto(model, threads, kernels, numBlocks, blockSize, gpu);
        };
    }

    private static Backend openAuto(Model model, int threads, KernelChoice kernels, int numBlocks, int blockSize,
                                    GpuSettings settings) {
        CudaAvailability gpu = CudaBackend.availability();
        if (gpu.available()) {
            try {
                return new CudaBackend(model, settings.options(0, numBlocks, blockSize));
            } catch (CudaException | IllegalArgumentException e) {
                LOG.log(Level.INFO, "backend auto: running " + model.path().getFileName() + " on the CPU: it cannot run on "
                        + gpu.detail() + ": " + e.getMessage());
            }
        } else if (NO_GPU_LOGGED.compareAndSet(false, true)) {
            LOG.log(Level.INFO, "backend auto: running " + model.path().getFileName() + " on the CPU: " + gpu.detail());
        }
        return new CpuBackend(model, threads, kernels, numBlocks, blockSize);
    }
}
