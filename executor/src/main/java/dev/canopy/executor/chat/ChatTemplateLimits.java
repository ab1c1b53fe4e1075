package dev.canopy.executor.chat;

import java.time.Duration;

/**
 * Bounds on what one render of a chat template may do. A template comes from a model file, so it is
 * untrusted code: these limits make every render finish, quickly, in bounded memory. The defaults
 * admit every real chat template we know of with a wide margin (real templates render a conversation
 * in well under a millisecond, in a few hundred steps).
 *
 * @param maxTemplateChars longest template source accepted
 * @param maxOutputChars longest rendered prompt
 * @param maxStringChars longest string a template may build along the way (concatenation, filters,
 *     string methods)
 * @param maxListSize most elements in a list or map the template builds or reads (including
 *     {@code messages})
 * @param maxRangeLength most elements {@code range()} may produce; a longer range fails rather than
 *     being cut short
 * @param maxRenderSteps most steps per render: each template node rendered, each loop iteration, each
 *     filter, method or function call, and each 256 characters a string operation reads or writes is one
 *     step. This bounds loops, recursion and string work deterministically, the same on every machine
 * @param maxDepth deepest macro recursion, bracket nesting in an expression, and nesting {@code tojson}
 *     writes
 * @param maxRenderBytes most bytes the render may allocate in total for the strings and lists it builds,
 *     counted before each is built (2 bytes a character, 16 an element); this bounds memory where many
 *     values, each within its own limit, add up
 * @param timeout wall-clock bound per render, a backstop behind {@code maxRenderSteps}, checked on the
 *     rendering thread
 */
public record ChatTemplateLimits(int maxTemplateChars, int maxOutputChars, int maxStringChars, int maxListSize,
                                 int maxRangeLength, long maxRenderSteps, int maxDepth, long maxRenderBytes,
                                 Duration timeout) {

    /**
     * 1 Mi-char templates, 4 Mi-char prompts and strings, 100k-element lists and ranges, 1M steps,
     * depth 64, 512 MiB allocated, 5 s.
     */
    public static final ChatTemplateLimits DEFAULT = new ChatTemplateLimits(1 << 20, 1 << 22, 1 << 22, 100_000,
            100_000, 1_000_000, 64, 512L << 20, Duration.ofSeconds(5));

    public ChatTemplateLimits {
        if (maxTemplateChars < 1 || maxOutputChars < 1 || maxStringChars < 1 || maxListSize < 1 || maxRangeLength < 1
                || maxRenderSteps < 1 || maxDepth < 1 || maxRenderBytes < 1) {
            throw new IllegalArgumentException("Cannot use chat template limits " + describe(maxTemplateChars,
                    maxOutputChars, maxStringChars, maxListSize, maxRangeLength, maxRenderSteps, maxDepth, maxRenderBytes)
                    + ": every limit must be at least 1");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("Cannot use chat template limits: timeout must be positive, got " + timeout);
        }
    }

    /** These limits with a different step bound. */
    public ChatTemplateLimits withMaxRenderSteps(long steps) {
        return new ChatTemplateLimits(maxTemplateChars, maxOutputChars, maxStringChars, maxListSize, maxRangeLength,
                steps, maxDepth, maxRenderBytes, timeout);
    }

    /** These limits with a different allocation bound. */
    public ChatTemplateLimits withMaxRenderBytes(long bytes) {
        return new ChatTemplateLimits(maxTemplateChars, maxOutputChars, maxStringChars, maxListSize, maxRangeLength,
                maxRenderSteps, maxDepth, bytes, timeout);
    }

    /** These limits with a different wall-clock bound. */
    public ChatTemplateLimits withTimeout(Duration newTimeout) {
        return new ChatTemplateLimits(maxTemplateChars, maxOutputChars, maxStringChars, maxListSize, maxRangeLength,
                maxRenderSteps, maxDepth, maxRenderBytes, newTimeout);
    }

    /** These limits with different bounds on the prompt and on intermediate strings. */
    public ChatTemplateLimits withMaxChars(int outputChars, int stringChars) {
        return new ChatTemplateLimits(maxTemplateChars, outputChars, stringChars, maxListSize, maxRangeLength,
                maxRenderSteps, maxDepth, maxRenderBytes, timeout);
    }

    private static String describe(int template, int output, int string, int list, int range, long steps, int depth,
                                   long bytes) {
        return "(template " + template + ", output " + output + ", string " + string + ", list " + list + ", range "
                + range + ", steps " + steps + ", depth " + depth + ", bytes " + bytes + ")";
    }
}
