package dev.canopy.executor.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufLimits;
import dev.canopy.executor.gguf.GgufTensorInfo;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.model.ModelConfig;
import dev.canopy.executor.model.ModelSizeCheck;
import dev.canopy.executor.tokenizer.TokenizerLoader;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the GGUF reader with arbitrary bytes. Whatever the bytes, reading them either succeeds with
 * tensors that lie inside the input, or fails with a {@link ModelFormatException}; it never throws
 * anything else, and never allocates much more than the input's size. A file that reads is also
 * handed to the tokenizer loader (token texts capped) and to the model config's size checks, with the same
 * rule; a config that passes has no size that wraps 32-bit arithmetic.
 */
class GgufReaderFuzzTest {

    private static final Path NAME = Path.of("fuzz.gguf");
    /**
     * Fixed allowance per read (the exception, small maps, and the odd class the JVM loads and Jazzer
     * instruments on first use); the rest must be paid for by input bytes.
     */
    private static final long BASE_ALLOCATION = 4L << 20;
    private static final long ALLOCATION_PER_INPUT_BYTE = 64;

    /** Loads and instruments the reader's classes, so that allocation counts exclude it. */
    @BeforeAll
    static void loadTheReader() throws IOException {
        for (Path model : List.of(TestModels.stories260kF32(), TestModels.stories260kQ8())) {
            byte[] bytes = Files.readAllBytes(model);
            checkRead(bytes);
            checkRead(Arrays.copyOf(bytes, 4096));
        }
    }

    @FuzzTest(maxDuration = "30s")
    void readAnyBytes(byte[] input) {
        checkRead(input);
    }

    private static void checkRead(byte[] input) {
        long before = allocatedBytes();
        GgufFile file;
        try {
            file = GgufFile.read(NAME, MemorySegment.ofArray(input), GgufLimits.DEFAULT);
        } catch (ModelFormatException expected) {
            assertThat(expected).hasMessageStartingWith("Cannot load model " + NAME + ": ");
            file = null;
        }
        assertThat(allocatedBytes() - before).as("bytes allocated reading %d input bytes", input.length)
                .isLessThan(BASE_ALLOCATION + ALLOCATION_PER_INPUT_BYTE * input.length);
        if (file != null) {
            checkTensorsAndTokenizer(file, input.length);
        }
    }

    private static void checkTensorsAndTokenizer(GgufFile file, long inputLength) {
        try (file) {
            for (GgufTensorInfo t : file.tensorInfos().values()) {
                assertThat(file.dataOffset() + t.offset() + t.byteSize()).as("end of tensor %s", t.name())
                        .isLessThanOrEqualTo(inputLength);
                if (t.type().supported()) {
                    assertThat(file.tensor(t.name()).data().byteSize()).isEqualTo(t.byteSize());
                }
            }
            loadTokenizer(file);
            loadConfig(file);
        }
    }

    /** A config that passes the size checks has no size that wraps 32-bit arithmetic. */
    private static void loadConfig(GgufFile file) {
        if (!file.metadata().has("general.architecture")) {
            return;
        }
        try {
            ModelConfig c = ModelSizeCheck.configOf(file);
            assertThat((long) c.heads() * c.headDim()).isEqualTo(c.qDim());
            assertThat((long) c.kvHeads() * c.headDim()).isEqualTo(c.kvDim());
            assertThat(c.kvBytesPerToken()).isEqualTo(2L * c.layers() * c.kvHeads() * c.headDim() * Float.BYTES);
            assertThat((long) c.vocab() * c.dim()).isLessThan(1L << 40);
        } catch (ModelFormatException expected) {
            assertThat(expected).hasMessageStartingWith("Cannot load model " + NAME + ": ");
        }
    }

    private static void loadTokenizer(GgufFile file) {
        if (file.metadata().has(TokenizerLoader.MODEL)) {
            try {
                TokenizerLoader.load(file.metadata());
            } catch (ModelFormatException expected) {
                assertThat(expected).hasMessageStartingWith("Cannot load model " + NAME + ": ");
            }
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
