package dev.canopy.executor.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code pre_tokenizer} of a {@code tokenizer.json}: splits a normalized piece of text into the
 * words that BPE merges within. Supported: Split (all five delimiter behaviours, inverted or not),
 * ByteLevel (words written in GPT-2's byte alphabet, with or without its own regex), Metaspace,
 * Digits, WhitespaceSplit and Sequence; any other type is refused naming it.
 */
@FunctionalInterface
interface HfPreTokenizer {

    List<String> SUPPORTED = List.of("Split", "ByteLevel", "Metaspace", "Digits", "WhitespaceSplit", "Sequence");

    /**
     * The words of {@code text}.
     *
     * @param first whether {@code text} starts the input (Metaspace's {@code prepend_scheme: first})
     */
    List<String> split(String text, boolean first);

    /** The pre-tokenizer {@code json} describes; the whole text as one word for JSON null. */
    static HfPreTokenizer of(HfJson json) {
        if (json.isNull()) {
            return (text, first) -> List.of(text);
        }
        String type = json.type();
        return switch (type) {
            case "Split" -> split(HfNormalizer.pattern(json.get("pattern")), behaviour(json.get("behavior")),
                    json.get("invert").bool(false));
            case "ByteLevel" -> byteLevel(json.get("add_prefix_space").bool(true), json.get("use_regex").bool(true));
            case "Metaspace" -> metaspace(json);
            case "Digits" -> split(Pattern.compile(json.get("individual_digits").bool(false) ? "\\p{Nd}" : "\\p{Nd}+"),
                    json.get("individual_digits").bool(false) ? HfSplit.Behaviour.ISOLATED : HfSplit.Behaviour.CONTIGUOUS,
                    false);
            case "WhitespaceSplit" -> split(Pattern.compile("\\p{IsWhite_Space}+"), HfSplit.Behaviour.REMOVED, false);
            case "Sequence" -> {
                List<HfPreTokenizer> steps = json.get("pretokenizers").elements().stream().map(HfPreTokenizer::of).toList();
                yield (text, first) -> {
                    List<String> words = List.of(text);
                    for (HfPreTokenizer step : steps) {
                        List<String> next = new ArrayList<>();
                        for (String word : words) {
                            next.addAll(step.split(word, first));
                        }
                        words = next;
                    }
                    return words;
                };
            }
            default -> throw json.unsupported("pre-tokenizer", type, SUPPORTED);
        };
    }

    private static HfPreTokenizer split(Pattern pattern, HfSplit.Behaviour behaviour, boolean invert) {
        HfSplit splitter = new HfSplit(pattern, behaviour, invert);
        return (text, first) -> splitter.split(text);
    }

    private static HfSplit.Behaviour behaviour(HfJson json) {
        return switch (json.text()) {
            case "Removed" -> HfSplit.Behaviour.REMOVED;
            case "Isolated" -> HfSplit.Behaviour.ISOLATED;
            case "MergedWithPrevious" -> HfSplit.Behaviour.MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> HfSplit.Behaviour.MERGED_WITH_NEXT;
            case "Contiguous" -> HfSplit.Behaviour.CONTIGUOUS;
            default -> throw json.error("expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous, found '"
                    + json.text() + "'");
        };
    }

    /** GPT-2's byte-level step: optional leading space and GPT-2 regex, then each word in the byte alphabet. */
    private static HfPreTokenizer byteLevel(boolean addPrefixSpace, boolean useRegex) {
        return (text, first) -> {
            String spaced = addPrefixSpace && !text.startsWith(" ") ? " " + text : text;
            List<String> words = useRegex ? BpePreTokenizer.GPT2.split(spaced) : List.of(spaced);
            return words.stream().map(ByteLevelAlphabet::encode).toList();
        };
    }

    /** SentencePiece's spaces: ' ' becomes the replacement, a leading one is prepended, words start at each replacement. */
    private static HfPreTokenizer metaspace(HfJson json) {
        String replacement = json.get("replacement").text();
        String scheme = json.get("prepend_scheme").textOpt()
                .orElse(json.get("add_prefix_space").bool(true) ? "always" : "never");
        if (!List.of("always", "first", "never").contains(scheme)) {
            throw json.get("prepend_scheme").error("expected always, first or never, found '" + scheme + "'");
        }
        HfSplit words = new HfSplit(Pattern.compile(Pattern.quote(replacement)), HfSplit.Behaviour.MERGED_WITH_NEXT, false);
        boolean splitWords = json.get("split").bool(true);
        return (text, first) -> {
            String replaced = text.replace(" ", replacement);
            boolean prepend = scheme.equals("always") || (scheme.equals("first") && first);
            if (prepend && !replaced.startsWith(replacement)) {
                replaced = replacement + replaced;
            }
            return splitWords ? words.split(replaced) : List.of(replaced);
        };
    }
}
