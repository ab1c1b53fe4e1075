package dev.canopy.executor.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.safetensors.SafetensorsFile;
import dev.canopy.executor.safetensors.SafetensorsLimits;
import dev.canopy.executor.safetensors.SafetensorsTensorInfo;
import dev.canopy.executor.tokenizer.HfTokenizer;
import dev.canopy.executor.tokenizer.HfTokenizerLoader;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Fuzzes the readers of Hugging Face checkpoint files with arbitrary bytes: a safetensors file
 * either reads with every tensor inside the input and the tensors tiling its data section, or fails
 * with a {@link ModelFormatException}; a {@code tokenizer.json} either loads and then encodes and
 * decodes text, or fails with a {@link ModelFormatException}. Nothing else may be thrown.
 */
class HfFilesFuzzTest {

    private static final Path SAFETENSORS = Path.of("fuzz.safetensors");
    private static final Path TOKENIZER = Path.of("fuzz-tokenizer.json");
    private static final String TEXT = "Hello, world! 123 中文 😀\n  <s>";

    @FuzzTest(maxDuration = "30s")
    void readAnySafetensors(byte[] input) {
        SafetensorsFile file;
        try {
            file = SafetensorsFile.read(SAFETENSORS, MemorySegment.ofArray(input), SafetensorsLimits.DEFAULT);
        } catch (ModelFormatException expected) {
            assertThat(expected).hasMessageStartingWith("Cannot load model " + SAFETENSORS + ": ");
            return;
        }
        try (file) {
            long covered = 0;
            for (SafetensorsTensorInfo t : file.tensorInfos().values()) {
                assertThat(file.bytes(t.name()).byteSize()).isEqualTo(t.byteSize());
                covered += t.byteSize();
                if (t.dtype().ggmlType().isPresent()) {
                    assertThat(file.tensor(t.name()).data().byteSize()).isEqualTo(t.byteSize());
                }
            }
            assertThat(covered).isLessThanOrEqualTo(input.length);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void loadAnyTokenizerJson(byte[] input) {
        HfTokenizer tokenizer;
        try {
            tokenizer = HfTokenizerLoader.parse(TOKENIZER, input);
        } catch (ModelFormatException expected) {
            assertThat(expected).hasMessageStartingWith("Cannot load model " + TOKENIZER + ": ");
            return;
        }
        int[] ids;
        try {
            ids = tokenizer.encode(TEXT, true, true);
        } catch (IllegalArgumentException unencodable) { // a vocabulary without some characters, unk or byte fallback
            assertThat(unencodable).hasMessageStartingWith("Cannot encode");
            return;
        }
        for (int id : ids) {
            assertThat(id).isBetween(0, tokenizer.vocabSize() - 1);
        }
        assertThat(tokenizer.decode(ids)).isNotNull();
    }
}
