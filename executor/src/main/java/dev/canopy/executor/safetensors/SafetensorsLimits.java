package dev.canopy.executor.safetensors;

/**
 * Caps on what a safetensors header may claim, checked before anything is allocated for it.
 *
 * @param maxHeaderBytes the JSON header's length (the Hugging Face reader's cap is 100,000,000)
 * @param maxTensors tensors in one file
 * @param maxRank dimensions of one tensor
 */
public record SafetensorsLimits(long maxHeaderBytes, int maxTensors, int maxRank) {

    public static final SafetensorsLimits DEFAULT = new SafetensorsLimits(100_000_000L, 1 << 20, 8);

    public SafetensorsLimits {
        if (maxHeaderBytes < 2 || maxTensors < 1 || maxRank < 1) {
            throw new IllegalArgumentException("Cannot use safetensors limits: header bytes " + maxHeaderBytes + ", tensors "
                    + maxTensors + ", rank " + maxRank + " (expected at least 2, 1 and 1)");
        }
    }
}
