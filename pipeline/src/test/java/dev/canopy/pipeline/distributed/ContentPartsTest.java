package dev.canopy.pipeline.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ContentPartsTest {

    @Test
    void textPartsAreJoinedWithNewlines() {
        assertThat(ContentParts.text("[{\"type\": \"text\", \"text\": \"Once\"}, {\"type\":\"text\",\"text\":\"upon\"}]", 0))
                .isEqualTo("Once\nupon");
    }

    @Test
    void contentThatIsNotAListOfTypedPartsIsText() {
        assertThat(ContentParts.text("hello", 0)).isEqualTo("hello");
        assertThat(ContentParts.text("[1, 2, 3]", 0)).isEqualTo("[1, 2, 3]");
        assertThat(ContentParts.text("[not json", 0)).isEqualTo("[not json");
        assertThat(ContentParts.text("[]", 0)).isEqualTo("[]");
        assertThat(ContentParts.text("[{\"role\": \"user\"}]", 0)).isEqualTo("[{\"role\": \"user\"}]");
    }

    @Test
    void aPartThatIsNotTextIsNamed() {
        assertThatThrownBy(() -> ContentParts.text("[{\"type\": \"input_audio\", \"input_audio\": {}}]", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot render messages: messages[2].content[0] is a part of type 'input_audio'; a text"
                        + " model reads only parts of type 'text'");
        assertThatThrownBy(() -> ContentParts.text("[{\"type\": \"text\", \"text\": 5}]", 0))
                .hasMessage("Cannot render messages: messages[0].content[0] is a part of type 'text' without a string"
                        + " 'text'");
    }
}
