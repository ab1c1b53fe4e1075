package dev.canopy.prefixtree;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One prompt of an offline job as the planner sees it: its token ids and how long its answer may be.
 *
 * <p>The token array is held, not copied (a job holds millions of prompts): do not change it after
 * building the request. Plans refer to requests by their position in the job's request list; equality
 * compares the array by identity.
 *
 * @param id the caller's identifier for the row (carried through, never interpreted)
 * @param tokens the prompt's token ids, at least one (a tokenized prompt holds at least its BOS token)
 * @param maxTokens the most output tokens the request may produce, at least 1
 * @param expectedOutputTokens a user-given expected output length (an "expected length" column), if any
 */
public record Request(long id, int[] tokens, int maxTokens, OptionalInt expectedOutputTokens) {

    public Request {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(expectedOutputTokens, "expectedOutputTokens");
        if (tokens.length == 0) {
            throw new IllegalArgumentException("Cannot create request " + id + ": the prompt has no tokens; a tokenized prompt holds at least its BOS token");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("Cannot create request " + id + ": maxTokens is " + maxTokens + "; it must be >= 1");
        }
        if (expectedOutputTokens.isPresent() && expectedOutputTokens.getAsInt() < 1) {
            throw new IllegalArgumentException("Cannot create request " + id + ": expectedOutputTokens is "
                    + expectedOutputTokens.getAsInt() + "; it must be >= 1 when given");
        }
    }

    /** A request with no expected-length column. */
    public static Request of(long id, int[] tokens, int maxTokens) {
        return new Request(id, tokens, maxTokens, OptionalInt.empty());
    }

    /** A request whose expected output length is known (a user column, or a synthetic workload's truth). */
    public static Request withExpectedOutput(long id, int[] tokens, int maxTokens, int expectedOutputTokens) {
        return new Request(id, tokens, maxTokens, OptionalInt.of(expectedOutputTokens));
    }

    /** Prompt tokens. */
    public int promptLength() {
        return tokens.length;
    }
}
