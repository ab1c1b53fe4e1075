package dev.canopy.pipeline.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.pipeline.SharedSpark;

/** An OpenAI batch file serves one endpoint, as OpenAI requires: a mix is refused before any row runs. */
class OpenAiBatchEndpointTest {

    @TempDir
    Path dir;

    private static String line(String id, String url, String body) {
        return "{\"custom_id\": \"" + id + "\", \"method\": \"POST\", \"url\": \"" + url + "\", \"body\": " + body + "}";
    }

    @Test
    void aFileMixingChatAndCompletionsIsRefusedNamingBothEndpoints() throws IOException {
        Path file = Files.writeString(dir.resolve("mixed.jsonl"), String.join("\n",
                line("a", "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
                line("b", "/v1/completions", "{\"prompt\": \"Once upon\"}")));

        assertThatThrownBy(() -> OpenAiBatchInput.read(SharedSpark.session(), file.toString()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("its lines name 2 endpoints (")
                .hasMessageContaining("/v1/completions")
                .hasMessageContaining("/v1/chat/completions")
                .hasMessageContaining("split it into one file per url");
    }

    @Test
    void theUrlDecidesBetweenPromptAndMessages() throws IOException {
        Path completions = Files.writeString(dir.resolve("completions.jsonl"),
                line("b", "/v1/completions", "{\"prompt\": \"Once upon\"}"));

        Dataset<Row> rows = OpenAiBatchInput.read(SharedSpark.session(), completions.toString());

        assertThat(rows.columns()).contains("prompt").doesNotContain("messages");
        assertThat(rows.first().<String>getAs("prompt")).isEqualTo("Once upon");
    }

    @Test
    void anEndpointCanopyDoesNotServeIsRefused() throws IOException {
        Path embeddings = Files.writeString(dir.resolve("embeddings.jsonl"),
                line("e", "/v1/embeddings", "{\"input\": \"text\"}"));

        assertThatThrownBy(() -> OpenAiBatchInput.read(SharedSpark.session(), embeddings.toString()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("its lines are for /v1/embeddings, but Canopy serves /v1/chat/completions and"
                        + " /v1/completions");
    }
}
