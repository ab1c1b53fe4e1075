package dev.canopy.executor.kv;

import java.lang.foreign.MemorySegment;

/**
 * How one KV block of a paged cache becomes one contiguous payload for an offload tier ({@code dev.canopy.offload.KvTier}) and back. The cache holds per
 * layer a key buffer and a value buffer, each {@code (numBlocks * blockSize, kvDim)} floats, so a block is
 * {@code 2 × layers} slices; the payload is {@code (layers, 2 [keys, values], blockSize, kvDim)} floats.
 *
 * @param layers    transformer layers, positive
 * @param blockSize token slots per block, positive
 * @param kvDim     floats per token per key (or value) row, positive
 */
public record KvBlockLayout(int layers, int blockSize, int kvDim) {

    public KvBlockLayout {
        if (layers < 1 || blockSize < 1 || kvDim < 1) {
            throw new IllegalArgumentException("Cannot describe a KV block: layers, blockSize and kvDim must be positive, "
                    + "got " + layers + ", " + blockSize + ", " + kvDim);
        }
    }

    /** Bytes of one block's keys or values in one layer. */
    public long sliceBytes() {
        return (long) blockSize * kvDim * Float.BYTES;
    }

    /** Bytes of the payload: {@code 2 × layers × blockSize × kvDim × 4}. */
    public long blockBytes() {
        return 2L * layers * sliceBytes();
    }

    /**
     * Copies block {@code block} of the cache into {@code payload}.
     *
     * @param keys    per layer: (numBlocks * blockSize, kvDim) floats
     * @param values  per layer: (numBlocks * blockSize, kvDim) floats
     * @param payload (blockBytes) bytes
     */
    public void gather(MemorySegment[] keys, MemorySegment[] values, int block, MemorySegment payload) {
        check(keys, values, payload);
        long slice = sliceBytes();
        for (int l = 0; l < layers; l++) {
            MemorySegment.copy(keys[l], block * slice, payload, 2L * l * slice, slice);
            MemorySegment.copy(values[l], block * slice, payload, (2L * l + 1) * slice, slice);
        }
    }

    /**
     * Copies {@code payload} into block {@code block} of the cache (the inverse of {@link #gather}).
     *
     * @param payload (blockBytes) bytes
     * @param keys    per layer: (numBlocks * blockSize, kvDim) floats
     * @param values  per layer: (numBlocks * blockSize, kvDim) floats
     */
    public void scatter(MemorySegment payload, MemorySegment[] keys, MemorySegment[] values, int block) {
        check(keys, values, payload);
        long slice = sliceBytes();
        for (int l = 0; l < layers; l++) {
            MemorySegment.copy(payload, 2L * l * slice, keys[l], block * slice, slice);
            MemorySegment.copy(payload, (2L * l + 1) * slice, values[l], block * slice, slice);
        }
    }

    private void check(MemorySegment[] keys, MemorySegment[] values, MemorySegment payload) {
        if (keys.length != layers || values.length != layers || payload.byteSize() != blockBytes()) {
            throw new IllegalArgumentException("Cannot move a KV block: expected " + layers + " key and value buffers and "
                    + "a payload of " + blockBytes() + " bytes, got " + keys.length + ", " + values.length + " and "
                    + payload.byteSize() + " bytes");
        }
    }
}
