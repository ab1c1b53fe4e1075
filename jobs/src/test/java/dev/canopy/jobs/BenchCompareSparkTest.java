package dev.canopy.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.canopy.executor.TestModels;

/** {@code canopy bench --compare spark} with the real stories260K model on local Spark, in this JVM. */
class BenchCompareSparkTest {

    @Test
    void theJobAndTheEngineAloneDoTheSameWorkAndTheReportGivesSparksShare() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CanopyCli.run(new String[] {"bench", "--model", TestModels.stories260kF32().toString(),
                "--workload", "shared-prefix", "--groups", "2", "--per-group", "4", "--prefix-len", "48",
                "--suffix-len", "8", "--output-len", "8", "--threads", "2", "--kv-budget", "32m",
                "--compare", "spark", "--spark-master", "local[2]", "--partitions", "2", "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode r = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(r.get("rows").asInt()).isEqualTo(8);
        assertThat(r.get("threads").asInt()).isEqualTo(2);
        JsonNode job = r.get("spark_job");
        JsonNode engine = r.get("engine_alone");
        assertThat(job.get("partitions").asInt()).isEqualTo(2);
        assertThat(job.get("untimed_warm_up_job_s").asDouble()).isPositive();
        assertThat(job.get("rows_failed").asInt()).isZero();
        assertThat(engine.get("errors").asInt()).isZero();
        assertThat(job.get("output_tokens").asLong()).isEqualTo(8 * 8);
        assertThat(engine.get("output_tokens").asLong()).isEqualTo(8 * 8);
        assertThat(job.get("prompt_tokens").asLong()).isEqualTo(engine.get("prompt_tokens").asLong())
                .isGreaterThan(8 * 20);
        assertThat(job.get("prefix_saving").asDouble()).isGreaterThan(0.3);
        assertThat(r.get("same_prompt_tokens").asBoolean()).isTrue();
        assertThat(r.get("same_output_tokens").asBoolean()).isTrue();
        assertThat(r.get("identical_texts").asText()).isEqualTo("8/8");
        double jobWall = job.get("wall_s").asDouble();
        double engineWall = engine.get("wall_s").asDouble();
        assertThat(r.get("spark_share").asDouble()).isCloseTo((jobWall - engineWall) / jobWall,
                org.assertj.core.data.Offset.offset(0.002));
        assertThat(jobWall).isGreaterThan(engineWall);
    }
}
