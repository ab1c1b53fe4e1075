package dev.canopy.pipeline.batch;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the job writes its output. */
public enum OutputFormat {
    PARQUET("parquet", "parquet"),
    /** One JSON object per line, every column present (nulls included). */
    JSONL("jsonl", "json"),
    /** OpenAI batch output lines: {@code id}, {@code custom_id}, {@code response}, {@code error}. */
    OPENAI_BATCH("openai-batch", "json");

    private final String label;
    private final String sparkSource;

    OutputFormat(String label, String sparkSource) {
        this.label = label;
        this.sparkSource = sparkSource;
    }

    /** The name used in configs and flags. */
    public String label() {
        return label;
    }

    /** The Spark data source that writes and reads it. */
    public String sparkSource() {
        return sparkSource;
    }

    /**
     * The format named {@code label}.
     *
     * @throws IllegalArgumentException listing the choices
     */
    public static OutputFormat parse(String label) {
        String wanted = label.trim().toLowerCase(Locale.ROOT);
        for (OutputFormat f : values()) {
            if (f.label.equals(wanted)) {
                return f;
            }
        }
        throw new IllegalArgumentException("Cannot use output format '" + label + "': expected one of "
                + Arrays.stream(values()).map(OutputFormat::label).collect(Collectors.joining(", ")));
    }
}
