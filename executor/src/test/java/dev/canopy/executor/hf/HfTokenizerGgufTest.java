package dev.canopy.executor.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.tokenizer.HfTokenizer;
import dev.canopy.executor.tokenizer.HfTokenizerLoader;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.executor.tokenizer.TokenizerLoader;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tokenizer keys {@code canopy convert} writes for a real byte-level tokenizer.json give the reference ids. */
class HfTokenizerGgufTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"llama3_1", "qwen3", "deepseek_v3", "gpt4o"})
    void theConvertedKeysEncodeTheCorpusAsTheReferenceDoes(String name) throws URISyntaxException {
        Path json = resource(name + ".tokenizer.json.gz");
        HfTokenizer hf = HfTokenizerLoader.load(json, Optional.of(resource(name + ".tokenizer_config.json")));
        Path gguf = tmp.resolve(name + ".gguf");
        GgufWriter writer = new GgufWriter(gguf).putString("general.architecture", "llama");
        HfTokenizerGguf.write(json, HfTokenizerLoader.readJson(json), hf, List.of(), writer);
        writer.write();
        try (GgufFile file = GgufFile.open(gguf)) {
            Tokenizer converted = TokenizerLoader.load(file.metadata());
            for (JsonNode line : HfTokenizerLoader.readJson(resource(name + ".expected.json")).get("lines")) {
                String text = line.get("text").textValue();
                if (!Normalizer.isNormalized(text, Normalizer.Form.NFC)) {
                    continue; // qwen3's tokenizer.json normalizes to NFC; GGUF has no normalizer
                }
                int[] expected = new int[line.get("withoutSpecial").size()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = line.get("withoutSpecial").get(i).intValue();
                }
                assertThat(converted.encode(text, false, true)).as("%s: %s", name, text).containsExactly(expected);
            }
        }
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(HfTokenizerGgufTest.class.getResource("/tokenizer-json/" + name).toURI());
    }
}
