package dev.canopy.executor.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the {@code decoder} of a {@code tokenizer.json} turns token texts back into bytes: byte-level
 * (GPT-2's alphabet: {@code ByteLevel}) or SentencePiece-style ({@code ▁} as space through
 * {@code Metaspace} or {@code Replace}, {@code <0xNN>} as a byte through {@code ByteFallback},
 * {@code Fuse}, and {@code Strip} or a prepending Metaspace dropping the first space).
 */
record HfDecoder(boolean byteLevel, boolean dropLeadingSpace) {

    static final List<String> SUPPORTED = List.of("ByteLevel", "Metaspace", "Replace", "ByteFallback", "Fuse", "Strip",
            "Sequence");
    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x([0-9A-Fa-f]{2})>");

    /** The decoder {@code json} describes; byte-level for JSON null when {@code byteLevelModel}. */
    static HfDecoder of(HfJson json, boolean byteLevelModel) {
        if (json.isNull()) {
            return new HfDecoder(byteLevelModel, false);
        }
        String type = json.type();
        return switch (type) {
            case "ByteLevel" -> new HfDecoder(true, false);
            case "Metaspace" -> new HfDecoder(false, !json.get("prepend_scheme").textOpt().orElse("always").equals("never")
                    && json.get("add_prefix_space").bool(true));
            case "Replace", "ByteFallback", "Fuse" -> new HfDecoder(false, false);
            case "Strip" -> new HfDecoder(false, json.get("start").integer() > 0);
            case "Sequence" -> json.get("decoders").elements().stream().map(d -> of(d, byteLevelModel))
                    .reduce(new HfDecoder(false, false),
                            (a, b) -> new HfDecoder(a.byteLevel || b.byteLevel, a.dropLeadingSpace || b.dropLeadingSpace));
            default -> throw json.unsupported("decoder", type, SUPPORTED);
        };
    }

    /** The bytes token text {@code text} of type {@code type} decodes to. */
    byte[] render(String text, TokenType type) {
        return switch (type) {
            case CONTROL, UNUSED -> new byte[0];
            case USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case UNKNOWN -> "\uFFFD".getBytes(StandardCharsets.UTF_8);
            case BYTE -> {
                Matcher m = BYTE_TOKEN.matcher(text);
                yield m.matches() ? new byte[] {(byte) Integer.parseInt(m.group(1), 16)} : text.getBytes(StandardCharsets.UTF_8);
            }
            case NORMAL, UNDEFINED -> byteLevel ? ByteLevelAlphabet.decode(text)
                    : text.replace('▁', ' ').getBytes(StandardCharsets.UTF_8);
        };
    }

    /** Whether {@code text} is a {@code <0xNN>} byte token. */
    static boolean isByteToken(String text) {
        return BYTE_TOKEN.matcher(text).matches();
    }
}
