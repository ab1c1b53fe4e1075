package dev.canopy.executor.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BpePreTokenizerTest {

    private final BpePreTokenizer llama3 = BpePreTokenizer.LLAMA3;
    private final BpePreTokenizer qwen2 = BpePreTokenizer.QWEN2;
    private final BpePreTokenizer gpt2 = BpePreTokenizer.GPT2;

    @Test
    void splitsContractionsInEitherCase() {
        assertThat(llama3.split("I'm can't WE'LL they're")).containsExactly("I", "'m", " can", "'t", " WE", "'LL", " they",
                "'re");
        assertThat(qwen2.split("DON'T")).containsExactly("DON", "'T");
        assertThat(gpt2.split("DON'T don't")).containsExactly("DON", "'", "T", " don", "'t");
    }

    @Test
    void groupsDigitsByThreeForLlama3AndOneByOneForQwen2() {
        assertThat(llama3.split("12345")).containsExactly("123", "45");
        assertThat(llama3.split("abc1234567def")).containsExactly("abc", "123", "456", "7", "def");
        assertThat(qwen2.split("12345")).containsExactly("1", "2", "3", "4", "5");
        assertThat(gpt2.split("a 12345")).containsExactly("a", " 12345");
    }

    @Test
    void keepsNewlinesTogetherAndLeavesTheLastSpaceToTheNextWord() {
        assertThat(llama3.split("hello\n\nworld")).containsExactly("hello", "\n\n", "world");
        assertThat(llama3.split("a   b")).containsExactly("a", "  ", " b");
        assertThat(llama3.split("hi  ")).containsExactly("hi", "  ");
        assertThat(llama3.split("x \n y")).containsExactly("x", " \n", " y");
        assertThat(llama3.split("end.\n\nNext")).containsExactly("end", ".\n\n", "Next");
        assertThat(llama3.split("\tindented")).containsExactly("\tindented");
        assertThat(gpt2.split("a   b")).containsExactly("a", "  ", " b");
    }

    @Test
    void splitsPunctuationFromWords() {
        assertThat(llama3.split("Hello, world!!")).containsExactly("Hello", ",", " world", "!!");
        assertThat(qwen2.split("(see: x)")).containsExactly("(see", ":", " x", ")");
        assertThat(llama3.split("hi 👋🏽!")).containsExactly("hi", " 👋🏽!");
    }

    @Test
    void treatsNonLatinLettersAsLettersAndMarksAsPunctuation() {
        assertThat(llama3.split("привет мир")).containsExactly("привет", " мир");
        assertThat(llama3.split("日本語テキスト")).containsExactly("日本語テキスト");
        assertThat(qwen2.split("مرحبا بالعالم")).containsExactly("مرحبا", " بالعالم");
        assertThat(llama3.split("𝒜𝓁𝓅𝒽𝒶 Ⅻ²")).containsExactly("𝒜𝓁𝓅𝒽𝒶", " ", "Ⅻ²");
        assertThat(llama3.split("e\u0301")).containsExactly("e", "\u0301");
    }

    @Test
    void treatsUnicodeSpacesAsWhitespace() {
        assertThat(llama3.split("a\u2003\u2003b")).containsExactly("a", "\u2003", "\u2003b");
        assertThat(qwen2.split("a\u3000")).containsExactly("a", "\u3000");
    }

    @Test
    void losesNoText() {
        for (BpePreTokenizer pre : BpePreTokenizer.values()) {
            for (String text : Utf8Corpus.TEXTS) {
                assertThat(String.join("", pre.split(text))).isEqualTo(text);
            }
        }
    }

    @Test
    void knowsItsGgufNames() {
        assertThat(BpePreTokenizer.named("llama-bpe")).hasValue(llama3);
        assertThat(BpePreTokenizer.named("qwen2")).hasValue(qwen2);
        assertThat(BpePreTokenizer.named("gpt-2")).hasValue(gpt2);
        assertThat(BpePreTokenizer.named("default")).hasValue(gpt2);
        assertThat(BpePreTokenizer.named("deepseek-llm")).hasValue(BpePreTokenizer.DEEPSEEK_LLM);
        assertThat(BpePreTokenizer.named("command-r")).hasValue(BpePreTokenizer.STARCODER);
        assertThat(BpePreTokenizer.named("no-such-pre")).isEmpty();
    }

    @Test
    void appliesSeveralRegexesInTurnAsLlamaCppDoes() {
        // deepseek-v3: digits in threes first, then CJK runs, then words and punctuation
        assertThat(BpePreTokenizer.DEEPSEEK_V3.split("abc12345中文x")).containsExactly("abc", "123", "45", "中文", "x");
        // starcoder: every digit alone, then GPT-2's split
        assertThat(BpePreTokenizer.STARCODER.split("x 123")).containsExactly("x", " ", "1", "2", "3");
    }
}
