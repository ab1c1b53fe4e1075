package dev.canopy.executor.sched;

/** Why a sequence finished. */
public enum FinishReason {
    /** End-of-sequence token, a stop token id or a stop string (decided by the engine). */
    STOP,
    /** {@code maxTokens} generated or the context is full (decided by the engine). */
    LENGTH,
    /** Its text reached the engine's {@code maxOutputBytes} and was cut there (decided by the engine). */
    OUTPUT_LIMIT,
    /** It could not run; {@link Sequence#errorMessage()} says why. */
    ERROR
}
