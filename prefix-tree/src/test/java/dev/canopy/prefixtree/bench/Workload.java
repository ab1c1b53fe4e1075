package dev.canopy.prefixtree.bench;

import dev.canopy.prefixtree.Request;
import java.util.List;

/**
 * A synthetic job: requests in arrival (input) order, and the number of tokens each really produces.
 * Each request's expected-length column holds that truth, as a user who knows the task would give it.
 */
public record Workload(String name, List<Request> requests, int[] outputTokens) {

    public Workload {
        requests = List.copyOf(requests);
        outputTokens = outputTokens.clone();
    }

    @Override
    public int[] outputTokens() {
        return outputTokens.clone();
    }
}
