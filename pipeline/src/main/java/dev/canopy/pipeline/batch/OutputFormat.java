package dev.canopy.pipeline.batch;

import dev.canopy.pipeline.input.Labeled;

/** How the job writes its output. */
public enum OutputFormat implements Labeled {
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

    @Override
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
        return Labeled.parse(OutputFormat.class, label, "output format");
    }
}
