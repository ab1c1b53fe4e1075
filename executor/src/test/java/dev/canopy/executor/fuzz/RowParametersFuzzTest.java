package dev.canopy.executor.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sample.SamplingParamsParser;
import java.util.Map;

/**
 * Fuzzes the per-row sampling parameter parser with arbitrary JSON objects (as a JSONL line or a
 * table row arrives). Whatever the fields, it either returns valid parameters or throws an
 * {@link IllegalArgumentException} that names a field; nothing else.
 */
class RowParametersFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest(maxDuration = "15s")
    void parseAnyRow(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        Map<?, ?> fields;
        try {
            Object parsed = JSON.readValue(text, Object.class);
            if (!(parsed instanceof Map<?, ?> m)) {
                return;
            }
            fields = m;
        } catch (JsonProcessingException notJson) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> row = (Map<String, ?>) fields;
        try {
            SamplingParams p = SamplingParamsParser.parse(row, SamplingParams.greedy(16));
            assertThat(p.maxTokens()).isPositive();
            assertThat(p.n()).isBetween(1, SamplingParams.MAX_N);
            assertThat(p.temperature()).isNotNaN().isGreaterThanOrEqualTo(0);
            assertThat(p.stop()).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(
                    SamplingParamsParser.MAX_STOP_LENGTH));
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("field ");
        }
    }
}
