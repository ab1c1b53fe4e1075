package dev.canopy.executor.sample;

/** A fixed prompt and generated tokens, for sampler tests. */
record History(int[] prompt, int[] generated) implements TokenHistory {

    static History none() {
        return new History(new int[0], new int[0]);
    }

    /** No prompt and {@code step} generated tokens (all token 0): the next draw is step {@code step}. */
    static History atStep(int step) {
        return new History(new int[0], new int[step]);
    }

    @Override
    public int numPromptTokens() {
        return prompt.length;
    }

    @Override
    public int promptTokenAt(int index) {
        return prompt[index];
    }

    @Override
    public int numGeneratedTokens() {
        return generated.length;
    }

    @Override
    public int generatedTokenAt(int index) {
        return generated[index];
    }
}
