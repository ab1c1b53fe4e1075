package dev.canopy.pipeline.input;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the validated input keeps what generation reads, as field positions of the input schema.
 * Serializable: executors read rows with it.
 *
 * @param source      whether prompts are strings or chat messages
 * @param sourceIndex position of the prompt or messages column
 * @param sourceName  name of that column
 * @param params      position of each per-row parameter column the input has
 * @param idName      the id column; {@code idFromInput} says whether the input had it or it is synthesized
 * @param idFromInput true when the input has the id column
 * @param width       number of input columns
 * @param malformedIndex position of Spark's {@value InputSchema#MALFORMED_COLUMN} column (lines the JSON reader
 *                       could not parse), or -1 when the input has none; read it with
 *                       {@link #malformedRecordIndex()}
 */
public record InputColumns(PromptSource source, int sourceIndex, String sourceName, Map<RowParam, Integer> params,
                           String idName, boolean idFromInput, int width, int malformedIndex) implements Serializable {

    public InputColumns {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(idName, "idName");
        if (malformedIndex < -1 || malformedIndex >= width) {
            throw new IllegalArgumentException("Cannot locate the malformed-record column at " + malformedIndex
                    + ": the input has " + width + " columns");
        }
        params = params.isEmpty() ? new EnumMap<>(RowParam.class) : new EnumMap<>(params);
    }

    /** The position of {@code param}'s column, if the input has one. */
    public Optional<Integer> paramIndex(RowParam param) {
        return Optional.ofNullable(params.get(param));
    }

    /** The position of the column holding the raw text of lines the reader could not parse, if the input has one. */
    public Optional<Integer> malformedRecordIndex() {
        return malformedIndex < 0 ? Optional.empty() : Optional.of(malformedIndex);
    }
}
