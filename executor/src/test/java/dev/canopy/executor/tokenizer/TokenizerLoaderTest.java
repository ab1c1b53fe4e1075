package dev.canopy.executor.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.gguf.ModelFormatException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerLoaderTest {

    private static final String PREFIX = "Cannot load model test-vocab.gguf: ";

    private static TokenizerMetadata stories() {
        return TokenizerMetadata.copyOf(Stories260k.metadata());
    }

    private static void assertLoadFails(TokenizerMetadata metadata, String problem) {
        assertThatThrownBy(() -> TokenizerLoader.load(metadata.build()))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(PREFIX + problem);
    }

    @Test
    void treatsAnUnsetSpecialIdAsAbsent() {
        Tokenizer tokenizer = TokenizerLoader.load(stories().uint32(TokenizerLoader.EOS_ID, 0xFFFF_FFFFL).build());
        assertThat(tokenizer.eosId()).isEmpty();
        assertThat(tokenizer.isEndOfGeneration(2)).isFalse();
    }

    @Test
    void defaultsTheSentencePieceBosToOne() {
        assertThat(TokenizerLoader.load(stories().without(TokenizerLoader.BOS_ID).build()).bosId()).isEqualTo(1);
    }

    @Test
    void readsTheAddBosAndSpacePrefixFlags() {
        Tokenizer tokenizer = TokenizerLoader.load(stories()
                .bool(TokenizerLoader.ADD_BOS, false)
                .bool(TokenizerLoader.ADD_SPACE_PREFIX, false)
                .build());
        assertThat(tokenizer.addBosByDefault()).isFalse();
        int[] tokens = tokenizer.encode("Once upon", false, false);
        assertThat(tokenizer.piece(tokens[0])).doesNotStartWith("▁");
        assertThat(tokenizer.decode(tokens)).isEqualTo("Once upon");
        assertThat(tokenizer.decode(new int[] {403})).isEqualTo(" Once");
    }

    @Test
    void rejectsAnUnknownTokenizerModel() {
        assertLoadFails(stories().string(TokenizerLoader.MODEL, "bert"),
                "key tokenizer.ggml.model: expected a supported tokenizer model (llama, gpt2), found 'bert'");
    }

    @Test
    void rejectsMissingArrays() {
        assertLoadFails(stories().without(TokenizerLoader.TOKENS),
                "missing metadata key tokenizer.ggml.tokens (expected an array)");
        assertLoadFails(stories().without(TokenizerLoader.SCORES),
                "missing metadata key tokenizer.ggml.scores (expected an array)");
        assertLoadFails(TinyByteLevelVocab.metadata("qwen2").without(TokenizerLoader.MERGES),
                "missing metadata key tokenizer.ggml.merges (expected an array)");
        assertLoadFails(stories().strings(TokenizerLoader.TOKENS, List.of()),
                "key tokenizer.ggml.tokens: expected at least one token, found none");
    }

    @Test
    void rejectsArraysWhoseLengthDiffersFromTheTokens() {
        assertLoadFails(stories().floats(TokenizerLoader.SCORES, new float[511]),
                "key tokenizer.ggml.scores: expected 512 entries (one per token in tokenizer.ggml.tokens), found 511");
        assertLoadFails(stories().ints(TokenizerLoader.TOKEN_TYPE, new int[513]),
                "key tokenizer.ggml.token_type: expected 512 entries (one per token in tokenizer.ggml.tokens), found 513");
    }

    @Test
    void rejectsAnUnknownTokenType() {
        int[] types = new int[512];
        types[5] = 9;
        assertLoadFails(stories().ints(TokenizerLoader.TOKEN_TYPE, types),
                "key tokenizer.ggml.token_type[5]: expected a token type code 0..6, found 9");
    }

    @Test
    void rejectsSpecialIdsOutsideTheVocabulary() {
        assertLoadFails(stories().uint32(TokenizerLoader.EOS_ID, 600),
                "key tokenizer.ggml.eos_token_id: expected a token id in [0, 512), found 600");
        assertLoadFails(stories().uint32(TokenizerLoader.EOT_ID, 512),
                "key tokenizer.ggml.eot_token_id: expected a token id in [0, 512), found 512");
    }

    @Test
    void rejectsAByteTokenThatIsNotWrittenAsAByte() {
        List<String> tokens = new ArrayList<>(List.of(Stories260k.metadata().getStringArray(TokenizerLoader.TOKENS)));
        tokens.set(3, "<0xZZ>");
        assertLoadFails(stories().strings(TokenizerLoader.TOKENS, tokens),
                "Cannot build a SentencePiece tokenizer: byte token 3 is '<0xZZ>', expected <0xNN>");
    }

    @Test
    void rejectsAnUnsupportedPreTokenizerListingTheSupportedOnes() {
        assertThatThrownBy(() -> TokenizerLoader.load(TinyByteLevelVocab.metadata("no-such-pre").build()))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(PREFIX + "key tokenizer.ggml.pre: expected a supported pre-tokenizer [default, gpt2,")
                .hasMessageContaining("deepseek-llm, deepseek-coder, deepseek-v3, falcon, starcoder, refact, command-r")
                .hasMessageEndingWith("found 'no-such-pre'");
    }

    @Test
    void acceptsThePreTokenizersOfLlamaCppsList() {
        for (String pre : List.of("deepseek-llm", "deepseek-coder", "deepseek-v3", "falcon", "starcoder", "refact", "mpt",
                "command-r", "gpt-neox", "smollm", "bloom", "viking", "tekken", "gpt-4o", "chameleon", "dbrx")) {
            assertThat(TokenizerLoader.load(TinyByteLevelVocab.metadata(pre).build()).encode("the cat", false, false))
                    .as(pre).isNotEmpty();
        }
    }

    @Test
    void rejectsAMalformedMergeRule() {
        List<String> merges = new ArrayList<>(TinyByteLevelVocab.MERGES);
        merges.set(3, "in");
        assertLoadFails(TinyByteLevelVocab.metadata("qwen2").strings(TokenizerLoader.MERGES, merges),
                "Cannot build a byte-level BPE tokenizer: merge 3 is 'in', expected two symbols separated by a space");
    }

    @Test
    void rejectsAByteLevelVocabularyWithoutBos() {
        assertLoadFails(TinyByteLevelVocab.metadata("qwen2").without(TokenizerLoader.BOS_ID),
                "missing metadata key tokenizer.ggml.bos_token_id (expected the beginning-of-sequence token id)");
    }

    @Test
    void loadsAByteLevelVocabularyLackingSomeBytesAndRefusesToEncodeThemOnly() {
        List<String> tokens = new ArrayList<>(TinyByteLevelVocab.tokens());
        tokens.set('!', "bang");
        Tokenizer tokenizer = TokenizerLoader.load(TinyByteLevelVocab.metadata("qwen2").strings(TokenizerLoader.TOKENS, tokens)
                .build());
        assertThat(tokenizer.decode(tokenizer.encode("the cat", false, false))).isEqualTo("the cat");
        assertThatThrownBy(() -> tokenizer.encode("cat!", false, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot encode byte 0x21: the vocabulary has no token for it (character '!') and no unknown token");
    }
}
