package dev.canopy.executor.tokenizer;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code normalizer} of a {@code tokenizer.json}: applied to each piece of text between added
 * tokens before it is split into words. Supported: NFC, NFD, NFKC, NFKD, Lowercase, Strip, Replace,
 * Prepend and Sequence of these; any other type is refused naming it.
 */
final class HfNormalizer {

    static final List<String> SUPPORTED = List.of("NFC", "NFD", "NFKC", "NFKD", "Lowercase", "Strip", "Replace", "Prepend",
            "Sequence");

    private HfNormalizer() {}

    /** The normalizer {@code json} describes; identity for JSON null. */
    static UnaryOperator<String> of(HfJson json) {
        if (json.isNull()) {
            return UnaryOperator.identity();
        }
        String type = json.type();
        return switch (type) {
            case "NFC" -> s -> Normalizer.normalize(s, Normalizer.Form.NFC);
            case "NFD" -> s -> Normalizer.normalize(s, Normalizer.Form.NFD);
            case "NFKC" -> s -> Normalizer.normalize(s, Normalizer.Form.NFKC);
            case "NFKD" -> s -> Normalizer.normalize(s, Normalizer.Form.NFKD);
            case "Lowercase" -> s -> s.toLowerCase(Locale.ROOT);
            case "Strip" -> strip(json.get("strip_left").bool(true), json.get("strip_right").bool(true));
            case "Replace" -> replace(json);
            case "Prepend" -> {
                String prefix = json.get("prepend").text();
                yield s -> s.isEmpty() ? s : prefix + s;
            }
            case "Sequence" -> {
                List<UnaryOperator<String>> steps = json.get("normalizers").elements().stream().map(HfNormalizer::of).toList();
                yield s -> {
                    String out = s;
                    for (UnaryOperator<String> step : steps) {
                        out = step.apply(out);
                    }
                    return out;
                };
            }
            default -> throw json.unsupported("normalizer", type, SUPPORTED);
        };
    }

    /** Replaces every match of {@code pattern} (a {@code String} or a {@code Regex}) by {@code content}. */
    static UnaryOperator<String> replace(HfJson json) {
        Pattern pattern = pattern(json.get("pattern"));
        String content = Matcher.quoteReplacement(json.get("content").text());
        return s -> pattern.matcher(s).replaceAll(content);
    }

    /** A {@code {"String": ...}} or {@code {"Regex": ...}} pattern. */
    static Pattern pattern(HfJson json) {
        HfJson literal = json.get("String");
        if (!literal.isNull()) {
            return Pattern.compile(Pattern.quote(literal.text()));
        }
        HfJson regex = json.get("Regex");
        if (!regex.isNull()) {
            return HfRegex.compile(regex.text(), regex);
        }
        throw json.error("expected {\"String\": ...} or {\"Regex\": ...}");
    }

    private static UnaryOperator<String> strip(boolean left, boolean right) {
        return s -> {
            int start = 0;
            int end = s.length();
            while (left && start < end && Character.isWhitespace(s.charAt(start))) {
                start++;
            }
            while (right && end > start && Character.isWhitespace(s.charAt(end - 1))) {
                end--;
            }
            return s.substring(start, end);
        };
    }
}
