package dev.canopy.pipeline.input;

/** How the job's input is stored. */
public enum InputFormat implements Labeled {
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

    @Override
    public String label() {
        return label;
    }

    /**
     * The format named {@code label}.
     *
     * @throws IllegalArgumentException listing the choices
     */
    public static InputFormat parse(String label) {
        return Labeled.parse(InputFormat.class, label, "input format");
    }
}
