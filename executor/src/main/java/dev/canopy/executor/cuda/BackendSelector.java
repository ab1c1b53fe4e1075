package dev.canopy.executor.cuda;

import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelBackend;

/** Opens the backend an engine asks for, by its configured {@link BackendKind} and what this machine has. */
public final class BackendSelector {

    private BackendSelector() {}

    /**
     * Opens {@code model} on the backend {@code kind} names: {@code CPU}; {@code CUDA} on GPU 0, failing
     * with the reason when it cannot run here; {@code AUTO}, GPU 0 when {@link CudaBackend#isAvailable()},
     * else the CPU.
     *
     * @param threads   CPU kernel threads (CPU backend)
     * @param kernels   CPU kernel implementation (CPU backend)
     * @param numBlocks KV cache blocks
     * @param blockSize tokens per KV block
     * @throws CudaException if {@code CUDA} is asked for and unavailable, or the model does not fit the GPU
     */
    public static Backend open(Model model, BackendKind kind, int threads, KernelBackend kernels, int numBlocks,
                               int blockSize) {
        boolean gpu = switch (kind) {
            case CPU -> false;
            case CUDA -> true;
            case AUTO -> CudaBackend.isAvailable();
        };
        return gpu ? new CudaBackend(model, CudaOptions.of(numBlocks, blockSize))
                : new CpuBackend(model, threads, kernels, numBlocks, blockSize);
    }
}
