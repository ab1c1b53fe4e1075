package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticVocabularyTest {

    @Test
    void startsLikeALlamaVocabulary() {
        SyntheticVocabulary v = SyntheticVocabulary.of(512);
        assertThat(v.size()).isEqualTo(512);
        assertThat(Arrays.copyOf(v.tokens(), 4)).containsExactly("<unk>", "<s>", "</s>", "<0x00>");
        assertThat(v.tokens()[3 + 0x0A]).isEqualTo("<0x0A>");
        assertThat(v.tokens()[258]).isEqualTo("<0xFF>");
        assertThat(v.tokens()[259]).isEqualTo("▁");
        assertThat(Arrays.copyOf(v.types(), 4)).containsExactly(2, 3, 3, 6);
        assertThat(v.types()[258]).isEqualTo(6);
        assertThat(Arrays.copyOfRange(v.types(), 259, 512)).containsOnly(1);
        assertThat(Arrays.asList(v.tokens())).contains("▁the", "▁once", "e", "Q", "7", ".");
    }

    @Test
    void scoresAreZeroForSpecialAndByteTokensThenDecrease() {
        SyntheticVocabulary v = SyntheticVocabulary.of(1000);
        for (int id = 0; id < SyntheticVocabulary.FIRST_PIECE; id++) {
            assertThat(v.scores()[id]).isZero();
        }
        for (int id = SyntheticVocabulary.FIRST_PIECE; id < 1000; id++) {
            assertThat(v.scores()[id]).isEqualTo(-(id - 259f));
        }
    }

    @Test
    void fillsAnySizeWithDistinctPiecesWhosePrefixesArePieces() {
        for (int size : new int[] {259, 260, 700, 32000, 100_000}) {
            SyntheticVocabulary v = SyntheticVocabulary.of(size);
            Set<String> tokens = new HashSet<>(Arrays.asList(v.tokens()));
            assertThat(tokens).as("distinct tokens of a %d vocabulary", size).hasSize(size);
            List<String> withoutPrefix = new ArrayList<>();
            for (int id = SyntheticVocabulary.FIRST_PIECE; id < size; id++) {
                String piece = v.tokens()[id];
                if (piece.length() > 1 && !tokens.contains(piece.substring(0, piece.length() - 1))) {
                    withoutPrefix.add(piece);
                }
            }
            assertThat(withoutPrefix).as("pieces whose prefix is not a piece").isEmpty();
        }
    }

    @Test
    void needsRoomForTheSpecialAndByteTokens() {
        assertThatThrownBy(() -> SyntheticVocabulary.of(258)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot build a vocabulary of 258 tokens: it needs at least 259 (3 special tokens and 256 byte tokens)");
    }
}
