package dev.canopy.pipeline.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The input format from a path, when no --input-format is given: on the local file system, without Spark. */
class InputFormatInferenceTest {

    @TempDir
    Path dir;

    private InputFormat infer(Path path) {
        return InputFormatInference.infer(path.toString(), new Configuration());
    }

    @Test
    void aFileIsReadByItsExtension() throws IOException {
        assertThat(infer(Files.writeString(dir.resolve("p.parquet"), "PAR1"))).isEqualTo(InputFormat.PARQUET);
        assertThat(infer(Files.writeString(dir.resolve("p.csv"), "id,prompt\n"))).isEqualTo(InputFormat.CSV);
        assertThat(infer(Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"a\"}\n")))
                .isEqualTo(InputFormat.JSONL);
        assertThat(infer(Files.writeString(dir.resolve("p.json"), "[{\"prompt\": \"a\"}]\n")))
                .isEqualTo(InputFormat.JSON);
    }

    @Test
    void jsonLinesOfOpenAiRequestsAreAnOpenAiBatch() throws IOException {
        Path requests = Files.writeString(dir.resolve("batch.jsonl"), "{\"custom_id\": \"r1\", \"method\": \"POST\","
                + " \"url\": \"/v1/chat/completions\", \"body\": {\"messages\": []}}\n");

        assertThat(infer(requests)).isEqualTo(InputFormat.OPENAI_BATCH);
    }

    @Test
    void aDirectoryIsReadByItsDataFilesSkippingSparksOwnFiles() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("_SUCCESS"), "");
        Files.writeString(out.resolve(".part-0.snappy.parquet.crc"), "");
        Files.writeString(out.resolve("part-0.snappy.parquet"), "PAR1");
        Files.createDirectories(out.resolve("_canopy_runs"));
        Files.writeString(out.resolve("_canopy_runs/1.json"), "{}");

        assertThat(infer(out)).isEqualTo(InputFormat.PARQUET);
    }

    @Test
    void aDirectoryMixingFormatsIsRefusedNamingThem() throws IOException {
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        Files.writeString(mixed.resolve("a.parquet"), "PAR1");
        Files.writeString(mixed.resolve("b.csv"), "id\n");

        assertThatThrownBy(() -> infer(mixed))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("its files are of 2 formats (a.parquet: parquet, b.csv: csv); give --input-format");
    }

    @Test
    void anUnknownExtensionAsksForTheFormat() throws IOException {
        Path text = Files.writeString(dir.resolve("prompts.txt"), "hello\n");

        assertThatThrownBy(() -> infer(text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("its extension .txt is none of .parquet, .jsonl, .ndjson, .json, .csv");
    }

    @Test
    void aMissingPathKeepsItsExtensionAndADottedNameIsATable() {
        assertThat(InputFormatInference.infer("missing.jsonl.gz", new Configuration())).isEqualTo(InputFormat.JSONL);
        assertThat(InputFormatInference.infer("sales.prompts", new Configuration())).isEqualTo(InputFormat.TABLE);
        assertThatThrownBy(() -> infer(dir.resolve("no/such/dir")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no such file or directory");
    }
}
