package dev.canopy.executor.engine;

import dev.canopy.executor.model.LogitRows;
import dev.canopy.executor.sched.Sequence;
import dev.canopy.executor.structured.GrammarCache;
import dev.canopy.executor.structured.TokenGrammar;
import dev.canopy.executor.structured.TokenMatcher;
import dev.canopy.executor.structured.UnsupportedSchemaException;
import dev.canopy.executor.tokenizer.Tokenizer;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * The constrained rows of a generation run: a {@link TokenMatcher} per constrained sequence, the masks
 * of the next step computed on another thread while the forward pass runs, logits of refused tokens
 * set to -inf before sampling (greedy and sampled alike), and each sampled token fed back. A row's
 * mask depends only on its own tokens, so its output does not depend on its batch or order.
 * Unconstrained rows are untouched.
 */
final class ConstrainedRows {

    private final Tokenizer tokenizer;
    private final GrammarCache grammars;
    private final Map<Long, TokenMatcher> matchers = new HashMap<>(); // by sequence id

    ConstrainedRows(Tokenizer tokenizer, GrammarCache grammars) {
        this.tokenizer = tokenizer;
        this.grammars = grammars;
    }

    /**
     * The vocabulary-bound grammar of {@code request}'s constraint.
     *
     * @throws UnsupportedSchemaException when the constraint cannot be compiled (a per-row error)
     */
    TokenGrammar compile(GenerationRequest request) {
        return TokenGrammar.of(grammars.compile(request.constraint()), tokenizer);
    }

    void add(Sequence seq, TokenGrammar grammar) {
        matchers.put(seq.id(), grammar.matcher());
    }

    /** Starts computing the masks of {@code sequences} (the step's logit rows, in order) beside the forward pass. */
    List<CompletableFuture<long[]>> startMasks(List<Sequence> sequences) {
        List<CompletableFuture<long[]>> masks = new ArrayList<>(sequences.size());
        for (Sequence seq : sequences) {
            TokenMatcher m = matchers.get(seq.id());
            masks.add(m == null ? null : CompletableFuture.supplyAsync(m::allowedTokens, ForkJoinPool.commonPool()));
        }
        return masks;
    }

    /** Sets the logits of refused tokens to -inf, row k by {@code masks.get(k)}. */
    static void apply(LogitRows logits, List<CompletableFuture<long[]>> masks, int vocab) {
        for (int k = 0; k < masks.size(); k++) {
            if (masks.get(k) == null) {
                continue;
            }
            long[] mask = masks.get(k).join();
            var row = logits.row(k);
            for (int t = 0; t < logits.vocab(); t++) {
                boolean allowed = t < vocab && (mask[t >>> 6] & (1L << t)) != 0;
                if (!allowed) {
                    row.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, t, Float.NEGATIVE_INFINITY);
                }
            }
        }
    }

    boolean isConstrained(Sequence seq) {
        return matchers.containsKey(seq.id());
    }

    /**
     * Feeds {@code token} to the sequence's matcher.
     *
     * @return false when the grammar refuses it (cannot happen for a token sampled from masked logits)
     */
    boolean accept(Sequence seq, int token) {
        TokenMatcher m = matchers.get(seq.id());
        return m == null || m.accept(token);
    }

    /** Whether the sequence's value is complete and nothing may follow it. */
    boolean mustEnd(Sequence seq) {
        TokenMatcher m = matchers.get(seq.id());
        return m != null && m.mustEnd();
    }

    /** Whether the sequence is constrained and its value is not complete yet. */
    boolean isIncomplete(Sequence seq) {
        TokenMatcher m = matchers.get(seq.id());
        return m != null && !m.isComplete();
    }
}
