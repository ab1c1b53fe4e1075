package dev.canopy.prefixtree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OutputLengthEstimatorTest {

    private final int[] prompt = {1, 2, 3};

    @Test
    void usesMaxTokensUntilTheGroupHasEnoughFinishedRequests() {
        OutputLengthEstimator estimator = new OutputLengthEstimator(2);
        Request request = Request.of(1, prompt, 200);
        assertThat(estimator.estimate(request, 0)).isEqualTo(new LengthEstimate(200, LengthSource.MAX_TOKENS));

        estimator.recordFinished(0, 40);
        assertThat(estimator.estimate(request, 0).source()).isEqualTo(LengthSource.MAX_TOKENS);
        estimator.recordFinished(0, 61);
        assertThat(estimator.estimate(request, 0)).isEqualTo(new LengthEstimate(51, LengthSource.GROUP_MEAN));
        assertThat(estimator.estimate(request, 7).source()).isEqualTo(LengthSource.MAX_TOKENS);
    }

    @Test
    void theExpectedLengthColumnWinsAndEstimatesNeverExceedMaxTokens() {
        OutputLengthEstimator estimator = new OutputLengthEstimator(1);
        estimator.recordFinished(3, 500);
        assertThat(estimator.estimate(Request.withExpectedOutput(1, prompt, 200, 30), 3))
                .isEqualTo(new LengthEstimate(30, LengthSource.EXPECTED_COLUMN));
        assertThat(estimator.estimate(Request.withExpectedOutput(1, prompt, 200, 900), 3))
                .isEqualTo(new LengthEstimate(200, LengthSource.EXPECTED_COLUMN));
        assertThat(estimator.estimate(Request.of(1, prompt, 200), 3)).isEqualTo(new LengthEstimate(200, LengthSource.GROUP_MEAN));
        assertThat(estimator.groupMean(3)).hasValue(500.0);
        assertThat(estimator.groupMean(4)).isEmpty();
    }

    @Test
    void rejectsNegativeGroupsAndLengths() {
        OutputLengthEstimator estimator = new OutputLengthEstimator(1);
        assertThatThrownBy(() -> estimator.recordFinished(-1, 3)).hasMessage("Cannot use prefix group -1: group ids are >= 0");
        assertThatThrownBy(() -> estimator.recordFinished(0, -3))
                .hasMessage("Cannot record a finished request: outputTokens is -3; it must be >= 0");
        assertThatThrownBy(() -> new OutputLengthEstimator(0))
                .hasMessage("Cannot create output length estimator: minSamples is 0; it must be >= 1");
        assertThatThrownBy(() -> Request.of(9, new int[0], 10))
                .hasMessage("Cannot create request 9: the prompt has no tokens; a tokenized prompt holds at least its BOS token");
    }
}
