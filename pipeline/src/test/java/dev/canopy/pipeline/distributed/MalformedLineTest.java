package dev.canopy.pipeline.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** What is read back from a line the JSON reader gave up on: its id, and how far its prompt value reaches. */
class MalformedLineTest {

    @Test
    void readsTheIdBeforeTheLineBreaksOff() {
        MalformedLine line = MalformedLine.scan("{\"id\": 13, \"prompt\": \"cut", "id", "prompt");
        assertThat(line.id()).contains("13");
        assertThat(line.sourceChars()).isEqualTo(4);
    }

    @Test
    void readsAStringIdAfterAHugeMessageWithoutBufferingIt() {
        String content = "a".repeat(30_000_000); // over the JSON parser's 20M-character string limit
        String json = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + content + "\"}], \"custom_id\": \"r-7\"}";
        MalformedLine line = MalformedLine.scan(json, "custom_id", "messages");
        assertThat(line.id()).contains("r-7");
        assertThat(line.sourceChars()).as("the message array, brackets and keys included")
                .isBetween((long) content.length() + 30, (long) content.length() + 40);
    }

    @Test
    void findsNoIdWhereThereIsNone() {
        assertThat(MalformedLine.scan("not json", "id", "prompt")).isEqualTo(new MalformedLine(Optional.empty(), 0));
        assertThat(MalformedLine.scan("{\"id\": null, \"prompt\": 4", "id", "prompt").id()).isEmpty();
        assertThat(MalformedLine.scan("{\"id\": {\"a\": 1}, \"x\": ", "id", "prompt").id()).isEmpty();
    }
}
