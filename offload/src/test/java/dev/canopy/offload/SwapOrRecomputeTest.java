package dev.canopy.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SwapOrRecomputeTest {

    private static final TierBandwidth HOST = new TierBandwidth(10e9, 10e9);
    private static final TierBandwidth SLOW_DISK = new TierBandwidth(100e6, 200e6);

    @Test
    void theCostModelSwapsWhenMovingTheBytesIsCheaperThanRecomputing() {
        SwapOrRecompute chooser = new SwapOrRecompute(SwapMode.COST_MODEL, 1e12);
        long bytes = 100L << 20; // 100 MiB of KV
        double flops = 5e12; // 5 s of prefill at 1 TFLOP/s

        SwapDecision toHost = chooser.decide(bytes, HOST, flops);
        assertThat(toHost.swap()).isTrue();
        assertThat(toHost.swapSeconds()).isCloseTo(2 * bytes / 10e9, within(1e-9));
        assertThat(toHost.recomputeSeconds()).isCloseTo(5.0, within(1e-9));

        SwapDecision toDisk = chooser.decide(bytes, SLOW_DISK, 1e11);
        assertThat(toDisk.swap()).isFalse(); // 1.57 s of IO against 0.1 s of compute
        assertThat(toDisk.mode()).isEqualTo(SwapMode.COST_MODEL);
    }

    @Test
    void aForcedModeIgnoresTheCosts() {
        assertThat(new SwapOrRecompute(SwapMode.ALWAYS_SWAP, 1e12).decide(1L << 40, SLOW_DISK, 1).swap()).isTrue();
        assertThat(new SwapOrRecompute(SwapMode.ALWAYS_RECOMPUTE, 1e12).decide(1, HOST, 1e20).swap()).isFalse();
    }

    @Test
    void prefillFlopsCountMatricesAndTheCausalAttentionTriangle() {
        assertThat(SwapOrRecompute.prefillFlops(1_000, 2, 8, 10)).isEqualTo(2.0 * 1_000 * 10 + 2.0 * 2 * 8 * 100);
    }

    @Test
    void measuredBandwidthFallsBackUntilSomethingWasTimed() {
        TierStats untimed = new TierStats("disk", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(TierBandwidth.measured(untimed, SLOW_DISK)).isEqualTo(SLOW_DISK);
        TierStats timed = new TierStats("disk", 0, 0, 1, 4_000_000, 2_000_000, 1, 1_000_000, 1_000_000, 0, 0, 0, 0);
        TierBandwidth measured = TierBandwidth.measured(timed, SLOW_DISK);
        assertThat(measured.writeBytesPerSecond()).isCloseTo(2e9, within(1.0));
        assertThat(measured.readBytesPerSecond()).isCloseTo(1e9, within(1.0));
    }

    @Test
    void invalidInputsAreRefused() {
        assertThatThrownBy(() -> new SwapOrRecompute(SwapMode.COST_MODEL, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot configure swap-or-recompute: recomputeFlopsPerSecond must be positive and finite, "
                        + "got 0.0");
        assertThatThrownBy(() -> new TierBandwidth(-1, 1))
                .hasMessage("Cannot describe a tier's bandwidth: write and read bytes per second must be positive and "
                        + "finite, got -1.0 and 1.0");
        assertThatThrownBy(() -> new SwapOrRecompute(SwapMode.COST_MODEL, 1).decide(-1, HOST, 0))
                .hasMessage("Cannot decide swap or recompute: bytes and FLOPs must be at least 0, got -1 bytes and 0.0 "
                        + "FLOPs");
    }
}
