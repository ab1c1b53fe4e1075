package dev.canopy.pipeline.distributed;

import java.util.HashMap;
import java.util.Map;

import org.apache.spark.sql.Row;

import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.input.RowParam;

/**
 * A row's parameter columns as the fields {@link dev.canopy.executor.sample.SamplingParamsParser} reads.
 * Numbers written as text (a JSON Lines column whose rows mix {@code 5} and {@code "abc"} is read as strings,
 * and OpenAI batch fields are read as text) become numbers here, so that only the row with the bad value fails,
 * with the parser naming the field.
 */
final class RowParamValues {

    /** Longer text is never a number; it is left as text for the parser to reject without parsing it. */
    static final int MAX_NUMBER_CHARS = 64;

    private RowParamValues() {}

    /** The parameter columns the row sets (nulls left out), in the parser's field names. */
    static Map<String, Object> of(Row row, InputColumns columns) {
        Map<String, Object> fields = new HashMap<>();
        for (var entry : columns.params().entrySet()) {
            int i = entry.getValue();
            if (!row.isNullAt(i)) {
                Object value = row.get(i);
                if (value instanceof scala.collection.Seq<?>) {
                    value = row.getList(i);
                } else if (value instanceof String text && entry.getKey().isNumeric()) {
                    value = number(text);
                }
                fields.put(entry.getKey().column(), value);
            }
        }
        return fields;
    }

    /** {@code text} as a Long or a Double when it is one (including NaN and Infinity), else the text itself. */
    static Object number(String text) {
        String t = text.strip();
        if (t.isEmpty() || t.length() > MAX_NUMBER_CHARS) {
            return text;
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException notLong) {
            try {
                return Double.parseDouble(t);
            } catch (NumberFormatException notNumber) {
                return text;
            }
        }
    }
}
