package dev.canopy.pipeline.generate;

/** The model's tokenizer as the pipeline sees it: for prefix keys, cost estimates and context checks. */
public interface PromptTokenizer {

    /** The token ids the engine will feed for {@code prompt} (including a leading BOS where the model adds one). */
    int[] encode(String prompt);
}
