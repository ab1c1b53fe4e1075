package dev.canopy.prefixtree;

import java.util.List;
import java.util.Objects;

/**
 * An ordered schedule for a job: groups run in list order, and every request of the job appears in
 * exactly one group, once.
 *
 * @param policy the policy that made the plan
 * @param groups the groups in execution order
 * @param requestCount requests in the job; the groups hold exactly the indices {@code 0..requestCount-1}
 */
public record Plan(PlanPolicy policy, List<PlanGroup> groups, int requestCount) {

    public Plan {
        Objects.requireNonNull(policy, "policy");
        groups = List.copyOf(groups);
        int[] groupOf = new int[requestCount]; // (requestCount) 1 + the group holding the request, 0 if none yet
        for (int g = 0; g < groups.size(); g++) {
            PlanGroup group = groups.get(g);
            for (int i = 0; i < group.size(); i++) {
                int r = group.request(i);
                if (r < 0 || r >= requestCount) {
                    throw new IllegalArgumentException("Cannot create plan: group " + g + " holds request " + r
                            + ", outside the job's requests 0.." + (requestCount - 1));
                }
                if (groupOf[r] != 0) {
                    throw new IllegalArgumentException("Cannot create plan: request " + r + " appears in group " + (groupOf[r] - 1)
                            + " and again in group " + g);
                }
                groupOf[r] = g + 1;
            }
        }
        for (int r = 0; r < requestCount; r++) {
            if (groupOf[r] == 0) {
                throw new IllegalArgumentException("Cannot create plan: request " + r + " is in no group");
            }
        }
    }

    /** All request indices in execution order. */
    public int[] executionOrder() {
        int[] order = new int[requestCount];
        int k = 0;
        for (PlanGroup group : groups) {
            for (int i = 0; i < group.size(); i++) {
                order[k++] = group.request(i);
            }
        }
        return order;
    }

    /** Number of groups. */
    public int groupCount() {
        return groups.size();
    }

    /** The largest estimated KV footprint of any group. */
    public long peakGroupKvBytes() {
        long peak = 0;
        for (PlanGroup group : groups) {
            peak = Math.max(peak, group.estimatedKvBytes());
        }
        return peak;
    }
}
