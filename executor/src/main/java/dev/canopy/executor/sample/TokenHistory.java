package dev.canopy.executor.sample;

/** The tokens a sampler looks at for penalties: the prompt and the tokens generated so far. */
public interface TokenHistory {

    int numPromptTokens();

    /** Prompt token at {@code index}, in {@code [0, numPromptTokens())}. */
    int promptTokenAt(int index);

    /** Tokens generated so far; also the step number of the next draw. */
    int numGeneratedTokens();

    /** Generated token at {@code index}, in {@code [0, numGeneratedTokens())}. */
    int generatedTokenAt(int index);
}
