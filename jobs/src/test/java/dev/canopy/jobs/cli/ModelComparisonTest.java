package dev.canopy.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The same-round decode ratios of {@code bench --vs} are summarized by their median. */
class ModelComparisonTest {

    @Test
    void theMedianOfAnOddCountIsItsMiddleValueInAnyOrder() {
        assertThat(ModelComparison.median(List.of(1.7, 0.9, 1.2))).isEqualTo(1.2);
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(ModelComparison.median(List.of(1.0, 4.0, 2.0, 1.5))).isEqualTo(1.75);
    }
}
