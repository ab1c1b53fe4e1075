package dev.canopy.pipeline.generate;

import java.util.Locale;

/** Why a row got an error instead of generated text; the metrics count errors by kind. */
public enum ErrorKind {
    /** The JSON reader could not parse the row's line (bad syntax, a wrongly typed value, not UTF-8). */
    MALFORMED_ROW,
    /** The prompt (or messages) column is null. */
    NULL_PROMPT,
    /** The prompt is empty or renders to no tokens. */
    EMPTY_PROMPT,
    /** The prompt has more tokens than the model's context can hold (with room for one generated token). */
    PROMPT_TOO_LONG,
    /** A per-row sampling parameter is out of range. */
    INVALID_PARAMS,
    /** The chat messages cannot be rendered with the model's chat template. */
    INVALID_MESSAGES,
    /** The row's id is null. */
    NULL_ID,
    /** Another row with the same id came earlier in the input. */
    DUPLICATE_ID,
    /** The engine failed on this row. */
    GENERATION_FAILED;

    /** The lower-case name used in the {@code error} column and in the metrics JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
