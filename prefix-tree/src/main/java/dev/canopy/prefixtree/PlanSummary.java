package dev.canopy.prefixtree;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A job's plans under every policy side by side: what {@code canopy plan} prints.
 *
 * @param requests requests in the job
 * @param promptTokens prompt tokens of all requests
 * @param distinctPromptTokens prompt tokens with every shared prefix counted once
 * @param hardware the hardware profile's name
 * @param policies one entry per policy, in {@link PlanPolicy} order
 */
public record PlanSummary(int requests, long promptTokens, long distinctPromptTokens, String hardware, List<PolicySummary> policies) {

    public PlanSummary {
        Objects.requireNonNull(hardware, "hardware");
        policies = List.copyOf(policies);
    }

    /** The best prefix saving any order could reach: {@code 1 - distinct / prompt tokens}. */
    public double idealPrefixSaving() {
        return promptTokens == 0 ? 0.0 : 1.0 - (double) distinctPromptTokens / promptTokens;
    }

    /** The entry for {@code policy}. */
    public PolicySummary policy(PlanPolicy policy) {
        return policies.stream().filter(p -> p.policy() == policy).findFirst().orElseThrow(
                () -> new IllegalArgumentException("Cannot find policy " + policy + " in the summary; it holds "
                        + policies.stream().map(p -> p.policy().name()).collect(Collectors.joining(", "))));
    }

    /** A fixed-width table, one row per policy, with the speedup over the first row. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%d requests, %d prompt tokens (%d distinct, ideal prefix saving %.1f%%) on %s%n",
                requests, promptTokens, distinctPromptTokens, 100 * idealPrefixSaving(), hardware));
        out.append(String.format(Locale.ROOT, "%-12s %8s %8s %11s %12s %8s %11s %7s %7s%n",
                "policy", "groups", "saving", "est. time", "out tok/s", "speedup", "peak KV", "comp%", "mem%"));
        double base = policies.isEmpty() ? 0 : policies.getFirst().estimatedSeconds();
        for (PolicySummary p : policies) {
            out.append(String.format(Locale.ROOT, "%-12s %8d %7.1f%% %10.2fs %12.0f %7.2fx %8.2fGiB %6.1f%% %6.1f%%%n",
                    p.policy(), p.groups(), 100 * p.prefixSaving(), p.estimatedSeconds(), p.outputTokensPerSecond(),
                    p.estimatedSeconds() == 0 ? 0 : base / p.estimatedSeconds(), p.peakKvBytes() / (double) (1L << 30),
                    100 * p.computeUtilization(), 100 * p.memoryUtilization()));
        }
        return out.toString();
    }

    /** This summary as a JSON object. */
    public String toJson() {
        return String.format(Locale.ROOT, "{\"requests\":%d,\"promptTokens\":%d,\"distinctPromptTokens\":%d,\"hardware\":\"%s\",\"policies\":[%s]}",
                requests, promptTokens, distinctPromptTokens, jsonEscape(hardware),
                policies.stream().map(PolicySummary::toJson).collect(Collectors.joining(",")));
    }

    @Override
    public String toString() {
        return toText();
    }

    private static String jsonEscape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
