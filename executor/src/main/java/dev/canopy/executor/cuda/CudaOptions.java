package dev.canopy.executor.cuda;

/**
 * How to run a model on a GPU.
 *
 * @param device          GPU ordinal ({@code cuda:N})
 * @param numBlocks       KV cache blocks to allocate in GPU memory
 * @param blockSize       tokens per KV block
 * @param checkEachKernel synchronize after every kernel so an asynchronous fault names its kernel
 *                        (slow; for debugging; turns graphs off)
 * @param graphs          replay repeated step shapes as CUDA graphs (one launch per step)
 * @param tensorCores     multiply Q8_0 and Q4_0 weights on tensor cores (bf16 with split activations; logits
 *                        within 1e-3 of the fp32 path, batch-invariant, much faster for batched steps);
 *                        off: fp32 on CUDA cores for every type. K-quants always run in fp32 on CUDA cores
 * @param sharedPrefixAttention rows whose sequences share leading KV blocks (prefix-cache hits) attend over
 *                        those blocks together, each shared block read once per group of rows, then merge
 *                        with their own positions (cascade attention, heads 64 or 128 wide). Their results
 *                        equal the per-row kernel's to fp32 rounding but not bit for bit, so a row's logits
 *                        then depend on which rows share its step; off: every row attends alone
 */
public record CudaOptions(int device, int numBlocks, int blockSize, boolean checkEachKernel, boolean graphs,
                          boolean tensorCores, boolean sharedPrefixAttention) {

    public CudaOptions {
        if (device < 0) {
            throw new IllegalArgumentException("Cannot use CUDA device " + device + ": ordinals start at 0");
        }
        if (numBlocks <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("Cannot size the GPU KV cache: numBlocks and blockSize must be positive, "
                    + "got " + numBlocks + " and " + blockSize);
        }
    }

    /** Options without shared-prefix attention. */
    public CudaOptions(int device, int numBlocks, int blockSize, boolean checkEachKernel, boolean graphs,
                       boolean tensorCores) {
        this(device, numBlocks, blockSize, checkEachKernel, graphs, tensorCores, false);
    }

    /**
     * Device 0 with {@code numBlocks} blocks of {@code blockSize} tokens: CUDA graphs on, fp32 on CUDA
     * cores, no per-kernel checks, every row attending alone.
     */
    public static CudaOptions of(int numBlocks, int blockSize) {
        return new CudaOptions(0, numBlocks, blockSize, false, true, false, false);
    }

    /** These options with CUDA graphs on or off. */
    public CudaOptions withGraphs(boolean on) {
        return new CudaOptions(device, numBlocks, blockSize, checkEachKernel, on, tensorCores, sharedPrefixAttention);
    }

    /** These options with a synchronization after every kernel (for debugging) on or off. */
    public CudaOptions withCheckEachKernel(boolean on) {
        return new CudaOptions(device, numBlocks, blockSize, on, graphs, tensorCores, sharedPrefixAttention);
    }

    /** These options with tensor cores for Q8_0/Q4_0 weights on or off. */
    public CudaOptions withTensorCores(boolean on) {
        return new CudaOptions(device, numBlocks, blockSize, checkEachKernel, graphs, on, sharedPrefixAttention);
    }

    /** These options with shared-prefix (cascade) attention on or off. */
    public CudaOptions withSharedPrefixAttention(boolean on) {
        return new CudaOptions(device, numBlocks, blockSize, checkEachKernel, graphs, tensorCores, on);
    }
}
