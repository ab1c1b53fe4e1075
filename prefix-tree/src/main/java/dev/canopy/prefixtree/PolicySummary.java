package dev.canopy.prefixtree;

import java.util.Locale;
import java.util.Objects;

/**
 * One policy's plan and its simulated run, for reports.
 *
 * @param policy the planning policy
 * @param groups groups in the plan
 * @param prefixSaving simulated share of prompt tokens not computed thanks to shared prefixes
 * @param estimatedSeconds simulated wall time
 * @param outputTokensPerSecond simulated throughput
 * @param peakKvBytes simulated peak KV held by running sequences
 * @param computeUtilization simulated share of time the arithmetic units are busy
 * @param memoryUtilization simulated share of time the memory bus is busy
 */
public record PolicySummary(
        PlanPolicy policy, int groups, double prefixSaving, double estimatedSeconds, double outputTokensPerSecond,
        long peakKvBytes, double computeUtilization, double memoryUtilization) {

    public PolicySummary {
        Objects.requireNonNull(policy, "policy");
    }

    /** The summary of {@code plan} and its simulation {@code result}. */
    public static PolicySummary of(Plan plan, SimulationResult result) {
        return new PolicySummary(plan.policy(), plan.groupCount(), result.prefixSaving(), result.seconds(),
                result.outputTokensPerSecond(), result.peakKvBytes(), result.computeUtilization(), result.memoryUtilization());
    }

    /** This summary as a JSON object. */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"policy\":\"%s\",\"groups\":%d,\"prefixSaving\":%.6f,\"estimatedSeconds\":%.6f,\"outputTokensPerSecond\":%.3f,"
                        + "\"peakKvBytes\":%d,\"computeUtilization\":%.6f,\"memoryUtilization\":%.6f}",
                policy, groups, prefixSaving, estimatedSeconds, outputTokensPerSecond, peakKvBytes, computeUtilization, memoryUtilization);
    }
}
