package dev.canopy.executor.tokenizer;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * What the {@code post_processor} of a {@code tokenizer.json} adds around one encoded sequence when
 * special tokens are asked for: the ids before it (such as BOS) and after it (such as EOS).
 * Supported: TemplateProcessing (its {@code single} template), ByteLevel (adds nothing),
 * RobertaProcessing/BertProcessing ({@code cls} … {@code sep}) and Sequence; any other type is refused.
 */
record HfPostProcessor(int[] prefix, int[] suffix) {

    static final List<String> SUPPORTED = List.of("TemplateProcessing", "ByteLevel", "RobertaProcessing", "BertProcessing",
            "Sequence");
    static final HfPostProcessor NONE = new HfPostProcessor(new int[0], new int[0]);

    /** The post-processor {@code json} describes; {@link #NONE} for JSON null. */
    static HfPostProcessor of(HfJson json, Map<String, Integer> tokenIds) {
        if (json.isNull()) {
            return NONE;
        }
        String type = json.type();
        return switch (type) {
            case "ByteLevel" -> NONE;
            case "TemplateProcessing" -> template(json);
            case "RobertaProcessing", "BertProcessing" -> new HfPostProcessor(new int[] {pairId(json.get("cls"))},
                    new int[] {pairId(json.get("sep"))});
            case "Sequence" -> json.get("processors").elements().stream().map(p -> of(p, tokenIds))
                    .reduce(NONE, HfPostProcessor::then);
            default -> throw json.unsupported("post-processor", type, SUPPORTED);
        };
    }

    /** {@code ids} with the prefix before and the suffix after. */
    int[] apply(int[] ids) {
        return IntStream.concat(IntStream.concat(IntStream.of(prefix), IntStream.of(ids)), IntStream.of(suffix)).toArray();
    }

    boolean addsTokens() {
        return prefix.length > 0 || suffix.length > 0;
    }

    private HfPostProcessor then(HfPostProcessor outer) {
        return new HfPostProcessor(IntStream.concat(IntStream.of(outer.prefix), IntStream.of(prefix)).toArray(),
                IntStream.concat(IntStream.of(suffix), IntStream.of(outer.suffix)).toArray());
    }

    private static HfPostProcessor template(HfJson json) {
        HfJson specials = json.get("special_tokens");
        IntStream.Builder before = IntStream.builder();
        IntStream.Builder after = IntStream.builder();
        boolean seenSequence = false;
        for (HfJson item : json.get("single").elements()) {
            HfJson special = item.get("SpecialToken");
            if (!special.isNull()) {
                HfJson entry = specials.get(special.get("id").text());
                if (entry.isNull()) {
                    throw entry.error("expected the ids of special token '" + special.get("id").text() + "' used in the template");
                }
                IntStream.Builder target = seenSequence ? after : before;
                entry.get("ids").elements().forEach(id -> target.add(id.integer()));
            } else if (!item.get("Sequence").isNull()) {
                seenSequence = true;
            } else {
                throw item.error("expected {\"SpecialToken\": ...} or {\"Sequence\": ...}");
            }
        }
        return new HfPostProcessor(before.build().toArray(), after.build().toArray());
    }

    /** The id of a {@code ["<s>", 0]} pair. */
    private static int pairId(HfJson pair) {
        List<HfJson> elements = pair.elements();
        if (elements.size() != 2) {
            throw pair.error("expected [token, id]");
        }
        return elements.get(1).integer();
    }
}
