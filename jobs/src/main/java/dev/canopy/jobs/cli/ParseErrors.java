package dev.canopy.jobs.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/** picocli's parse errors in the CLI's words ({@code canopy generate: unknown flag --temprature}), with its hints. */
final class ParseErrors {

    private ParseErrors() {
    }

    static UsageException usageException(String command, CommandLine.ParameterException e) {
        String prefix = "canopy " + command + ": ";
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String arg = unmatched.getUnmatched().getFirst();
            String message = arg.startsWith("--") && arg.length() > 2
                    ? prefix + "unknown flag " + arg.split("=", 2)[0]
                    : prefix + "unexpected argument '" + arg + "'";
            return new UsageException(message, didYouMean(unmatched.getSuggestions()));
        }
        if (e instanceof CommandLine.MissingParameterException missing && !missing.getMissing().isEmpty()
                && missing.getMissing().getFirst() instanceof CommandLine.Model.OptionSpec option) {
            return new UsageException(prefix + "flag " + option.longestName() + " needs a value");
        }
        return new UsageException(prefix + e.getMessage());
    }

    /** {@code Did you mean: --temperature?}, or empty when picocli has no close name. */
    static Optional<String> didYouMean(List<String> suggestions) {
        return suggestions.isEmpty() ? Optional.empty()
                : Optional.of("Did you mean: " + String.join(" or ", suggestions) + "?");
    }
}
