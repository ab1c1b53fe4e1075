package dev.canopy.executor.gguf;

/**
 * Caps on what a GGUF header may claim, so that a hostile file cannot make the reader allocate
 * without bound. The defaults admit every real model we know of (the largest vocabularies have
 * about 260k tokens; the largest metadata strings are chat templates of a few hundred KiB).
 *
 * @param maxStringBytes longest metadata string or tensor name, in bytes
 * @param maxArrayLength most elements in one metadata array
 * @param maxMetadataEntries most key/value pairs
 * @param maxTensors most tensors
 * @param maxDims most dimensions of one tensor
 * @param maxHeaderBytes most heap the parsed header may take (strings and arrays together), in bytes
 */
public record GgufLimits(long maxStringBytes, long maxArrayLength, long maxMetadataEntries, long maxTensors,
                         int maxDims, long maxHeaderBytes) {

    public static final GgufLimits DEFAULT = new GgufLimits(16L << 20, 16L << 20, 1 << 16, 1 << 20, 4, 1L << 30);

    public GgufLimits {
        if (maxStringBytes <= 0 || maxStringBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("Cannot use GGUF limits: maxStringBytes must be in [1, 2^31-17], got "
                    + maxStringBytes);
        }
        if (maxArrayLength <= 0 || maxArrayLength > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("Cannot use GGUF limits: maxArrayLength must be in [1, 2^31-17], got "
                    + maxArrayLength);
        }
        if (maxMetadataEntries <= 0 || maxTensors <= 0 || maxDims <= 0 || maxHeaderBytes <= 0) {
            throw new IllegalArgumentException("Cannot use GGUF limits: every limit must be positive");
        }
    }
}
