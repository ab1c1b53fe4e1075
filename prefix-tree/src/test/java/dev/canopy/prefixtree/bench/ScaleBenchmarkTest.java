package dev.canopy.prefixtree.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The 1M-prompt build claim; slow, so excluded by default (run with {@code -Dcanopy.excludedTags=}). */
@Tag("slow")
class ScaleBenchmarkTest {

    @Test
    void aMillionPromptsBuildInThirtySecondsWithinTwoGibibytes() {
        ScaleBenchmark.Measurement m = ScaleBenchmark.measureBuild(1_000_000);
        assertThat(m.nodes()).isGreaterThan(1_000_000);
        assertThat(m.buildSeconds()).as(m.toText()).isLessThanOrEqualTo(30.0);
        assertThat(m.usedHeapBytes()).as(m.toText()).isLessThanOrEqualTo(2L << 30);
        assertThat(m.treeHeapBytes()).as(m.toText()).isLessThan(m.promptHeapBytes() / 4);
    }
}
