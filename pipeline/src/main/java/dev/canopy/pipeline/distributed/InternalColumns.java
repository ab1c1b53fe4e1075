package dev.canopy.pipeline.distributed;

import dev.canopy.pipeline.input.InputSchema;

/** Columns the pipeline adds while it works and drops before writing. */
final class InternalColumns {

    /** Input order within a run, for "first occurrence" of duplicate ids. */
    static final String ORDER = InputSchema.INTERNAL_PREFIX + "order";
    /** First tokens of the prompt: array<int>. */
    static final String PREFIX = InputSchema.INTERNAL_PREFIX + "prefix";
    /** Every token of the prompt, so it is tokenized once per job (null when the row will fail): array<int>. */
    static final String TOKENS = InputSchema.INTERNAL_PREFIX + "tokens";
    /** Why the planning step rejected the row ({@code ErrorKind} name), null when it is ready: string. */
    static final String ERROR_KIND = InputSchema.INTERNAL_PREFIX + "error_kind";
    /** The rejection's message, null when the row is ready: string. */
    static final String ERROR_MESSAGE = InputSchema.INTERNAL_PREFIX + "error_message";
    /** The prompt's token count (0 for a row rejected before tokenizing): int. */
    static final String PROMPT_TOKENS = InputSchema.INTERNAL_PREFIX + "prompt_tokens";
    /** The row's resolved sampling as JSON, null when it is the job's: string. */
    static final String SAMPLING = InputSchema.INTERNAL_PREFIX + "sampling";
    /** The row's own output constraint (its response_format), serialized; null when it is the job's: binary. */
    static final String CONSTRAINT = InputSchema.INTERNAL_PREFIX + "constraint";
    /** Estimated cost of the row: long. */
    static final String COST = InputSchema.INTERNAL_PREFIX + "cost";
    /** Most tokens the row may generate (max tokens times choices; 0 when it will fail): long. */
    static final String MAX_OUTPUT = InputSchema.INTERNAL_PREFIX + "max_output";
    /** 1 for the first row of an id, 2.. for later duplicates: int. */
    static final String DUPLICATE_RANK = InputSchema.INTERNAL_PREFIX + "duplicate_rank";
    /** Orders the rows of one prefix group: a hash of the id, so all rows of an id sort together. */
    static final String TIE_BREAK = InputSchema.INTERNAL_PREFIX + "tie_break";
    /** Prefix of the first row of the id: all rows of an id land in one partition and commit together. */
    static final String GROUP_PREFIX = InputSchema.INTERNAL_PREFIX + "group_prefix";

    private InternalColumns() {}
}
