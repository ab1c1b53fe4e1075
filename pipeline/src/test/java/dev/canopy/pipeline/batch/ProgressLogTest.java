package dev.canopy.pipeline.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.apache.spark.SparkContext;
import org.junit.jupiter.api.Test;

import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.distributed.GenerationProgress;
import dev.canopy.pipeline.distributed.ProgressCounts;

class ProgressLogTest {

    private final SparkContext context = SharedSpark.session().sparkContext();

    @Test
    void linesCountRowsCommittedBeforeAndGiveAnEtaFromTokensBeforeAnyRowFinishes() throws InterruptedException {
        try (ProgressLog reporter = new ProgressLog(context, GenerationProgress.register(context), 2, 12,
                1000, Duration.ofHours(1))) {
            Thread.sleep(50);

            assertThat(reporter.line(new ProgressCounts(0, 0, 0, 0, 0)))
                    .startsWith("progress: 2/12 rows (16.7%), 0 tokens generated, 0.0 tokens/s, prefix saving 0.0%,")
                    .endsWith("ETA unknown");
            assertThat(reporter.line(new ProgressCounts(0, 0, 0, 0, 250)))
                    .startsWith("progress: 2/12 rows (16.7%), 250 tokens generated, ").matches(".*, ETA \\d+s");
            assertThat(reporter.line(new ProgressCounts(4, 1, 800, 600, 400)))
                    .startsWith("progress: 6/12 rows (50.0%), 400 tokens generated, ")
                    .contains("prefix saving 75.0%").matches(".*, ETA \\d+s");
        }
    }
}
