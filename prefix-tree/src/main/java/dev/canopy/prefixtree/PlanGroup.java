package dev.canopy.prefixtree;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Requests that run together, sharing a prefix whose KV is computed once and kept while they run.
 *
 * @param prefixGroup id of the prefix group the requests come from: all plan groups cut from one
 *     prefix group carry the same id (the key for {@link OutputLengthEstimator})
 * @param requests request indices (positions in the job's list) in execution order
 * @param sharedPrefixTokens the longest prefix all the requests start with (the whole prompt for a
 *     group of one)
 * @param estimatedKvBytes KV bytes if all the requests were resident at once with their estimated
 *     outputs, the prefix counted once; at most the KV budget
 * @param reusedBy later groups that read this group's prefix, nearest first; each entry reads more of
 *     the prefix than the ones before it, so block {@code b} of the prefix is next needed by the first
 *     entry whose {@code sharedTokens} exceeds {@code b}'s first token position; blocks no entry covers
 *     are never needed again
 */
public record PlanGroup(int prefixGroup, int[] requests, int sharedPrefixTokens, long estimatedKvBytes, List<PrefixReuse> reusedBy) {

    public PlanGroup {
        Objects.requireNonNull(requests, "requests");
        if (requests.length == 0) {
            throw new IllegalArgumentException("Cannot create plan group for prefix group " + prefixGroup + ": it has no requests");
        }
        if (prefixGroup < 0 || sharedPrefixTokens < 0 || estimatedKvBytes < 0) {
            throw new IllegalArgumentException("Cannot create plan group: prefixGroup " + prefixGroup + ", sharedPrefixTokens "
                    + sharedPrefixTokens + " and estimatedKvBytes " + estimatedKvBytes + " must be >= 0");
        }
        requests = requests.clone();
        reusedBy = List.copyOf(reusedBy);
    }

    /** The request indices in execution order (a copy). */
    @Override
    public int[] requests() {
        return requests.clone();
    }

    /** Number of requests in the group. */
    public int size() {
        return requests.length;
    }

    /** The {@code i}-th request index in execution order. */
    public int request(int i) {
        return requests[i];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PlanGroup g
                && prefixGroup == g.prefixGroup
                && sharedPrefixTokens == g.sharedPrefixTokens
                && estimatedKvBytes == g.estimatedKvBytes
                && Arrays.equals(requests, g.requests)
                && reusedBy.equals(g.reusedBy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(prefixGroup, sharedPrefixTokens, estimatedKvBytes, Arrays.hashCode(requests), reusedBy);
    }

    @Override
    public String toString() {
        return "PlanGroup[prefixGroup=" + prefixGroup + ", requests=" + requests.length + ", sharedPrefixTokens="
                + sharedPrefixTokens + ", estimatedKvBytes=" + estimatedKvBytes + ", reusedBy=" + reusedBy + "]";
    }
}
