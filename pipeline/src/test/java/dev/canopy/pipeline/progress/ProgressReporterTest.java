package dev.canopy.pipeline.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ProgressReporterTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(5 * SECOND);

    private ProgressReporter reporter(long committedBefore, long total, long maxOutputTokens) {
        return new ProgressReporter(committedBefore, total, maxOutputTokens, clock::get);
    }

    @Test
    void beforeAnyTokenTheEtaIsUnknown() {
        ProgressReporter r = reporter(0, 10, 1000);
        clock.addAndGet(10 * SECOND);
        assertThat(r.line(0, 0, 0)).isEqualTo(
                "progress: 0/10 rows (0.0%), 0 tokens generated, 0.0 tokens/s, prefix saving 0.0%, ETA unknown");
    }

    @Test
    void beforeAnyRowFinishesTheEtaComesFromTheTokensTheRowsMayStillGenerate() {
        ProgressReporter r = reporter(0, 10, 1000);
        clock.addAndGet(10 * SECOND);
        // 250 tokens in 10 s: the 750 left take 30 s
        assertThat(r.line(0, 250, 0)).isEqualTo(
                "progress: 0/10 rows (0.0%), 250 tokens generated, 25.0 tokens/s, prefix saving 0.0%, ETA 30s");
    }

    @Test
    void onceRowsFinishTheSoonerOfTheRowAndTokenEstimatesIsTheEta() {
        ProgressReporter r = reporter(0, 10, 1000);
        clock.addAndGet(10 * SECOND);
        // 5 of 10 rows in 10 s: 10 s by rows; 200 of 1000 tokens: 40 s by tokens (rows stopped early)
        assertThat(r.line(5, 200, 0.5)).endsWith("prefix saving 50.0%, ETA 10s");
        // 1 of 10 rows: 90 s by rows; 500 of 1000 tokens: 10 s by tokens
        assertThat(r.line(1, 500, 0)).endsWith("ETA 10s");
    }

    @Test
    void rowsAnEarlierRunCommittedCountAsDone() {
        ProgressReporter r = reporter(2, 12, 0);
        clock.addAndGet(4 * SECOND);
        assertThat(r.line(4, 40, 0)).startsWith("progress: 6/12 rows (50.0%), 40 tokens generated, 10.0 tokens/s")
                .endsWith("ETA 6s");
        assertThat(r.fraction(4)).isEqualTo(0.5);
        assertThat(reporter(0, 0, 0).fraction(0)).isEqualTo(1.0);
    }

    @Test
    void impossibleCountsAreRefusedWithTheirValues() {
        assertThatThrownBy(() -> reporter(5, 4, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("committed before (5) <= total (4)");
    }
}
