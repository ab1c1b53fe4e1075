package dev.canopy.pipeline.input;

/** Where a row's prompt comes from. */
public enum PromptSource {
    /** A string column used as is. */
    PROMPT,
    /** An array of {role, content} structs rendered with the model's chat template. */
    MESSAGES
}
