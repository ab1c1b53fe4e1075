package dev.canopy.prefixtree;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Estimates how many tokens a request will produce, learning as the job runs.
 *
 * <p>Preference order: the request's expected-length column; else the running mean of finished
 * requests in the same prefix group once it has {@code minSamples} of them (requests sharing a
 * prompt template tend to answer alike: BlendServe samples each group for this); else
 * {@code max_tokens}. Estimates never exceed the request's {@code max_tokens}.
 *
 * <p>Prefix groups are the {@link PlanGroup#prefixGroup()} ids of a plan. Not thread-safe: keep it on
 * the scheduling thread.
 */
public final class OutputLengthEstimator {

    private final int minSamples;
    private long[] finishedTokens = new long[16]; // (prefixGroups) output tokens of finished requests
    private int[] finishedCount = new int[16]; // (prefixGroups) finished requests

    /** An estimator that trusts a group mean once {@code minSamples} requests of the group finished. */
    public OutputLengthEstimator(int minSamples) {
        if (minSamples < 1) {
            throw new IllegalArgumentException("Cannot create output length estimator: minSamples is " + minSamples + "; it must be >= 1");
        }
        this.minSamples = minSamples;
    }

    /** Estimates the output length of {@code request}, a member of prefix group {@code prefixGroup}. */
    public LengthEstimate estimate(Request request, int prefixGroup) {
        Objects.requireNonNull(request, "request");
        requireGroup(prefixGroup);
        int max = request.maxTokens();
        if (request.expectedOutputTokens().isPresent()) {
            return new LengthEstimate(Math.min(max, request.expectedOutputTokens().getAsInt()), LengthSource.EXPECTED_COLUMN);
        }
        OptionalDouble mean = groupMean(prefixGroup);
        if (mean.isPresent() && finishedCount[prefixGroup] >= minSamples) {
            int rounded = (int) Math.clamp(Math.round(mean.getAsDouble()), 1L, max);
            return new LengthEstimate(rounded, LengthSource.GROUP_MEAN);
        }
        return new LengthEstimate(max, LengthSource.MAX_TOKENS);
    }

    /** Records that a request of {@code prefixGroup} finished after producing {@code outputTokens} tokens. */
    public void recordFinished(int prefixGroup, int outputTokens) {
        requireGroup(prefixGroup);
        if (outputTokens < 0) {
            throw new IllegalArgumentException("Cannot record a finished request: outputTokens is " + outputTokens + "; it must be >= 0");
        }
        if (prefixGroup >= finishedCount.length) {
            int capacity = Math.max(prefixGroup + 1, finishedCount.length * 2);
            finishedTokens = Arrays.copyOf(finishedTokens, capacity);
            finishedCount = Arrays.copyOf(finishedCount, capacity);
        }
        finishedTokens[prefixGroup] += outputTokens;
        finishedCount[prefixGroup]++;
    }

    /** Mean output length of the group's finished requests, or empty when none finished. */
    public OptionalDouble groupMean(int prefixGroup) {
        requireGroup(prefixGroup);
        if (prefixGroup >= finishedCount.length || finishedCount[prefixGroup] == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((double) finishedTokens[prefixGroup] / finishedCount[prefixGroup]);
    }

    private static void requireGroup(int prefixGroup) {
        if (prefixGroup < 0) {
            throw new IllegalArgumentException("Cannot use prefix group " + prefixGroup + ": group ids are >= 0");
        }
    }
}
