package dev.canopy.pipeline.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.structured.Constraint;
import dev.canopy.pipeline.generate.ErrorKind;
import dev.canopy.pipeline.generate.RowError;

class PreparedColumnsTest {

    private static final SamplingParams JOB = SamplingParams.builder().maxTokens(16).build();
    private static final Constraint JOB_SCHEMA = new Constraint.JsonSchema("{\"type\": \"object\"}");
    private static final StructType SCHEMA = PreparedColumns.append(new StructType().add("id", DataTypes.StringType));

    private final PreparedColumns columns = new PreparedColumns(JOB, JOB_SCHEMA);

    @Test
    void aReadyRowAtTheJobsSettingsStoresOnlyItsTokens() {
        Object[] values = written(new PreparedPrompt.Ready(new int[] {1, 5, 9}, JOB, JOB_SCHEMA));

        assertThat(values[PreparedColumns.start(SCHEMA) + 4]).as("sampling").isNull();
        assertThat(values[PreparedColumns.start(SCHEMA) + 5]).as("constraint").isNull();
        PreparedPrompt.Ready read = (PreparedPrompt.Ready) columns.read(row(values), PreparedColumns.start(SCHEMA));
        assertThat(read.tokens()).containsExactly(1, 5, 9);
        assertThat(read.sampling()).isEqualTo(JOB);
        assertThat(read.constraint()).isEqualTo(JOB_SCHEMA);
    }

    @Test
    void aRowsOwnSamplingAndConstraintComeBackAsTheyWere() {
        SamplingParams own = SamplingParams.builder().maxTokens(7).temperature(0.7).topK(40).seed(1234567890123L)
                .stop(List.of("\n\n")).stopTokenIds(new int[] {2}).n(3).build();
        Constraint choice = new Constraint.Choice(List.of("yes", "no"));

        Object[] values = written(new PreparedPrompt.Ready(new int[] {1, 2}, own, choice));
        PreparedPrompt.Ready read = (PreparedPrompt.Ready) columns.read(row(values), PreparedColumns.start(SCHEMA));

        assertThat(read.sampling()).isEqualTo(own);
        assertThat(read.constraint()).isEqualTo(choice);
    }

    @Test
    void aRejectedRowKeepsItsErrorAndTokenCount() {
        RowError error = new RowError(ErrorKind.PROMPT_TOO_LONG, "Cannot generate: the prompt has 600 tokens");

        Object[] values = written(new PreparedPrompt.Rejected(error, 600));

        assertThat(values[PreparedColumns.start(SCHEMA)]).as("tokens").isNull();
        assertThat(columns.read(row(values), PreparedColumns.start(SCHEMA)))
                .isEqualTo(new PreparedPrompt.Rejected(error, 600));
    }

    private Object[] written(PreparedPrompt prepared) {
        Object[] values = new Object[1 + PreparedColumns.WIDTH];
        values[0] = "row-1";
        columns.write(prepared, values, PreparedColumns.start(SCHEMA));
        return values;
    }

    private static Row row(Object[] values) {
        return new GenericRowWithSchema(values, SCHEMA);
    }
}
