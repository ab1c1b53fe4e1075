package dev.canopy.pipeline.input;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the job's input is stored. */
public enum InputFormat {
    PARQUET("parquet"),
    /** JSON Lines: one JSON object per line (Spark's "json" source). */
    JSONL("jsonl"),
    /** Multi-line JSON: each file is one JSON document or array of objects. */
    JSON("json"),
    /** CSV with a header line. */
    CSV("csv"),
    /** A table in the Spark catalog; the input is its name. */
    TABLE("table"),
    /** OpenAI batch request lines ({@code custom_id}, {@code body.messages} or {@code body.prompt}, ...). */
    OPENAI_BATCH("openai-batch");

    private final String label;

    InputFormat(String label) {
        this.label = label;
    }

    /** The name used in configs and flags. */
    public String label() {
        return label;
    }

    /**
     * The format named {@code label}.
     *
     * @throws IllegalArgumentException listing the choices
     */
    public static InputFormat parse(String label) {
        String wanted = label.trim().toLowerCase(Locale.ROOT);
        for (InputFormat f : values()) {
            if (f.label.equals(wanted)) {
                return f;
            }
        }
        throw new IllegalArgumentException("Cannot use input format '" + label + "': expected one of "
                + Arrays.stream(values()).map(InputFormat::label).collect(Collectors.joining(", ")));
    }
}
