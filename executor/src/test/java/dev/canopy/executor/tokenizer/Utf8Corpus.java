package dev.canopy.executor.tokenizer;

import java.util.List;

/** Texts that stress a tokenizer's byte handling: every case must survive encode → decode unchanged. */
final class Utf8Corpus {

    private Utf8Corpus() {}

    static final List<String> TEXTS = List.of(
            "",
            "Once upon a time",
            " leading space",
            "   three leading spaces",
            "trailing space ",
            "trailing spaces   ",
            "multiple   spaces    inside",
            " ",
            "   ",
            "line one\nline two\n\nline four\n",
            "\n starts with a newline",
            "tabs\tand\t\tmore\ttabs\r\nand CRLF",
            "emoji 😀 and skin tone 👋🏽",
            "family ZWJ sequence 👨‍👩‍👧‍👦 and rainbow flag 🏳️‍🌈",
            "flags 🇫🇷🇯🇵🇺🇸",
            "日本語のテキストと中文文本",
            "한국어 텍스트",
            "مرحبا بالعالم",
            "עברית",
            "combining: e\u0301 a\u0308 n\u0303 and precomposed é ä ñ",
            "Zalgo: Z\u0336\u0327a\u0337\u0300l\u0334\u0301g\u0335\u0302o",
            "math 𝒜𝓁𝓅𝒽𝒶 ∑ ∫ √ and symbols “quotes” ’ é",
            "NUL\u0000and control \u0007 bell",
            "mixed: Hello, 世界! 😀 ok?\n\t- done");
}
