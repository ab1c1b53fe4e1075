package dev.canopy.prefixtree;

/**
 * What one request costs over its life, apart from the weight reads it shares with its batch.
 *
 * @param prefillFlops FLOPs to compute its uncached prompt tokens and its first output token
 * @param decodeFlops FLOPs of its later decode steps
 * @param decodeKvBytes KV cache bytes its decode steps read in total
 * @param decodeBytesPerToken mean KV bytes read per decode step (0 when it produces one token)
 * @param peakKvBytes KV bytes it holds at the end (prompt plus output), the amount an engine reserves
 */
public record RequestCost(double prefillFlops, double decodeFlops, double decodeKvBytes, double decodeBytesPerToken, double peakKvBytes) {

    /** All FLOPs of the request. */
    public double totalFlops() {
        return prefillFlops + decodeFlops;
    }
}
