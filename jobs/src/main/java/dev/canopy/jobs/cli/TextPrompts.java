package dev.canopy.jobs.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.tokenizer.TokenType;
import dev.canopy.executor.tokenizer.Tokenizer;

/**
 * A token-id workload as text prompts, for jobs that read text (the Spark batch job): each token id is mapped
 * to an ordinary piece of the model's vocabulary (byte and control tokens do not make text), the pieces are
 * decoded to text, and the text is tokenized again exactly as the batch job does. The requests that come out
 * carry those tokens, so an engine run on them does the same work as the job on the text. Prompts that shared
 * a token prefix share a text prefix; the re-tokenized prefix can differ by a token at its end.
 */
final class TextPrompts {

    /** One prompt: its text and the requests the engine runs for it (tokens as the job's tokenizer makes them). */
    record Prompt(String text, GenerationRequest request) {}

    private TextPrompts() {}

    /**
     * The text prompts of {@code requests}, in their order.
     *
     * @throws IllegalArgumentException when the vocabulary has no ordinary piece
     */
    static List<Prompt> of(List<GenerationRequest> requests, Tokenizer tokenizer) {
        int[] pieces = ordinaryPieces(tokenizer);
        List<Prompt> prompts = new ArrayList<>(requests.size());
        for (GenerationRequest r : requests) {
            int[] ids = r.promptTokens(); // (prompt length,) token ids of the synthetic workload
            int[] mapped = Arrays.stream(ids).map(id -> pieces[Math.floorMod(id, pieces.length)]).toArray();
            String text = tokenizer.decode(mapped);
            int[] tokens = tokenizer.encode(text, tokenizer.addBosByDefault(), false); // as the batch job does
            prompts.add(new Prompt(text, GenerationRequest.ofTokens(r.id(), tokens, r.params())));
        }
        return prompts;
    }

    /** Ids of the vocabulary's normal tokens, in id order. */
    private static int[] ordinaryPieces(Tokenizer tokenizer) {
        int[] pieces = new int[tokenizer.vocabSize()];
        int n = 0;
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            if (tokenizer.vocabulary().type(id) == TokenType.NORMAL && !tokenizer.piece(id).isBlank()) {
                pieces[n++] = id;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("Cannot write text prompts: the model's vocabulary has no normal token");
        }
        return Arrays.copyOf(pieces, n);
    }
}
