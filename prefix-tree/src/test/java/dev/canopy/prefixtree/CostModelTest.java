package dev.canopy.prefixtree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CostModelTest {

    private final CostModel cost = TestCosts.tiny(1000);

    @Test
    void derivesPerTokenCostsFromTheModelShape() {
        ModelShape shape = TestCosts.TINY;
        assertThat(shape.layerParameters()).isEqualTo(64 + 64 + 64 + 384);
        assertThat(shape.steppedParameters()).isEqualTo(2 * 576 + 80);
        assertThat(shape.kvBytesPerToken()).isEqualTo(32.0);
        assertThat(cost.linearFlopsPerToken()).isEqualTo(2304.0);
        assertThat(cost.attentionFlopsPerPair()).isEqualTo(64.0);
        assertThat(cost.logitsFlops()).isEqualTo(160.0);
        assertThat(cost.weightBytes()).isEqualTo(2464.0);
        assertThat(cost.kvBudgetTokens()).isEqualTo(1000);
    }

    @Test
    void prefillAfterACachedPrefixPaysOnlyTheNewTokensAndTheirAttention() {
        // positions 2, 3, 4 attend to 3 + 4 + 5 = 12 keys
        assertThat(cost.prefillFlops(3, 2)).isEqualTo(3 * 2304 + 12 * 64 + 160);
        assertThat(cost.prefillFlops(0, 5)).isZero();
    }

    @Test
    void aRequestsLifeCostsItsPrefillAndEachDecodeStep() {
        RequestCost life = cost.requestCost(4, 0, 3);
        assertThat(life.prefillFlops()).isEqualTo(4 * 2304 + 10 * 64 + 160);
        // two decode steps read 4 and 5 cached tokens and attend to 5 and 6 keys
        assertThat(life.decodeFlops()).isEqualTo(2 * (2304 + 160) + 11 * 64);
        assertThat(life.decodeKvBytes()).isEqualTo(9 * 32);
        assertThat(life.decodeBytesPerToken()).isEqualTo(144);
        assertThat(life.peakKvBytes()).isEqualTo(7 * 32);
        assertThat(cost.requestCost(4, 0, 1).decodeBytesPerToken()).isZero();
    }

    @Test
    void slidingWindowLayersReadAndHoldOnlyTheirWindow() {
        // TINY with its second layer attending over the last 4 tokens: 16 bytes a token in each kind of layer
        ModelShape windowed = new ModelShape(2, 8, 2, 1, 4, 16, 10, 2.0, 2.0, 1, 4);
        CostModel windowedCost = new CostModel(windowed, cost.hardware());
        assertThat(windowed.globalKvBytesPerToken()).isEqualTo(16.0);
        assertThat(windowed.localKvBytesPerToken()).isEqualTo(16.0);
        assertThat(windowed.sequenceKvBytes(3)).isEqualTo(3 * 16 + 3 * 16);
        assertThat(windowed.sequenceKvBytes(7)).isEqualTo(7 * 16 + 4 * 16);

        RequestCost life = windowedCost.requestCost(4, 0, 3);
        // two decode steps read 4 and 5 tokens in the global layer, 4 and 4 in the windowed one
        assertThat(life.decodeKvBytes()).isEqualTo(9 * 16 + 8 * 16);
        assertThat(life.peakKvBytes()).isEqualTo(7 * 16 + 4 * 16);
        // a prompt shorter than the window: steps read 2, 3, 4, then 4, 4
        assertThat(windowedCost.requestCost(2, 0, 6).decodeKvBytes()).isEqualTo((2 + 3 + 4 + 5 + 6) * 16 + (2 + 3 + 4 + 4 + 4) * 16);
        assertThat(windowedCost.requestCost(2, 0, 6).decodeKvBytes())
                .isLessThan(cost.requestCost(2, 0, 6).decodeKvBytes());
    }

    @Test
    void aStepTakesTheSlowerOfComputeAndMemoryPlusItsOverhead() {
        StepCost step = cost.stepCost(new StepLoad(2, 3, 1, 4, 2));
        assertThat(step.computeSeconds()).isCloseTo((2 * 2304 + 3 * 64 + 160) / 1000.0, within(1e-12));
        assertThat(step.memorySeconds()).isCloseTo((2464 + 6 * 32) / 100.0, within(1e-12));
        assertThat(step.seconds()).isCloseTo(26.56 + 0.5, within(1e-9));
        assertThat(step.computeBound()).isFalse();
        assertThat(cost.hardware().balancePoint()).isEqualTo(10.0);
    }

    @Test
    void rejectsImpossibleShapesAndProfilesNamingTheField() {
        assertThatThrownBy(() -> new ModelShape(2, 8, 3, 2, 4, 16, 10, 2, 2))
                .hasMessage("Cannot create model shape: heads 3 is not a multiple of kvHeads 2");
        assertThatThrownBy(() -> new ModelShape(0, 8, 2, 1, 4, 16, 10, 2, 2))
                .hasMessage("Cannot create model shape: layers is 0; it must be > 0");
        assertThatThrownBy(() -> new ModelShape(2, 8, 2, 1, 4, 16, 10, 2, 2, 1, 0))
                .hasMessage("Cannot create model shape: localLayers 1 must be in 0..2 and window 0 > 0 exactly when localLayers > 0");
        assertThatThrownBy(() -> HardwareProfile.measured("cpu", 1e9, 1e9, 0))
                .hasMessage("Cannot create hardware profile 'cpu': kvBudgetBytes is 0; it must be > 0");
        assertThatThrownBy(() -> cost.requestCost(4, 4, 1))
                .hasMessage("Cannot cost request: promptTokens 4 and outputTokens 1 must be >= 1, cachedTokens 4 must be in 0..3");
        assertThatThrownBy(() -> new EngineLimits(8, 4, 16, PrefillPacing.BALANCED))
                .hasMessage("Cannot create engine limits: maxTokensPerStep 4 is below maxSequences 8; every running sequence needs one token per step");
    }

    @Test
    void aMeasuredProfileHasNoStepOverheadAndCanChangeItsBudget() {
        HardwareProfile cpu = HardwareProfile.measured("cpu", 2e11, 5e10, 1L << 30);
        assertThat(cpu.stepOverheadSeconds()).isZero();
        assertThat(cpu.withKvBudget(1L << 20).kvBudgetBytes()).isEqualTo(1L << 20);
        assertThat(cpu.balancePoint()).isEqualTo(4.0);
    }
}
