package dev.canopy.offload;

/**
 * Sustained speed of moving KV to and from a tier, for {@link SwapOrRecompute}.
 *
 * @param writeBytesPerSecond offload speed, positive
 * @param readBytesPerSecond  load speed, positive
 */
public record TierBandwidth(double writeBytesPerSecond, double readBytesPerSecond) {

    public TierBandwidth {
        if (!(writeBytesPerSecond > 0) || !(readBytesPerSecond > 0) || Double.isInfinite(writeBytesPerSecond)
                || Double.isInfinite(readBytesPerSecond)) {
            throw new IllegalArgumentException("Cannot describe a tier's bandwidth: write and read bytes per second must "
                    + "be positive and finite, got " + writeBytesPerSecond + " and " + readBytesPerSecond);
        }
    }

    /** The speeds {@code stats} measured, each falling back to {@code fallback}'s before anything was timed. */
    public static TierBandwidth measured(TierStats stats, TierBandwidth fallback) {
        double write = stats.writeMegabytesPerSecond().orElse(fallback.writeBytesPerSecond() / 1e6) * 1e6;
        double read = stats.readMegabytesPerSecond().orElse(fallback.readBytesPerSecond() / 1e6) * 1e6;
        return new TierBandwidth(write, read);
    }
}
