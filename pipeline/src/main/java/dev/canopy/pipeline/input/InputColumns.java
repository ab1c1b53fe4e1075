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
 */
public record InputColumns(PromptSource source, int sourceIndex, String sourceName, Map<RowParam, Integer> params,
                           String idName, boolean idFromInput, int width) implements Serializable {

    public InputColumns {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(idName, "idName");
        params = params.isEmpty() ? new EnumMap<>(RowParam.class) : new EnumMap<>(params);
    }

    /** The position of {@code param}'s column, if the input has one. */
    public Optional<Integer> paramIndex(RowParam param) {
        return Optional.ofNullable(params.get(param));
    }
}
