package dev.canopy.pipeline.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.canopy.pipeline.input.InvalidInputException;
import dev.canopy.pipeline.input.ParquetFooterCheck;
import dev.canopy.pipeline.input.ParquetFooterLimits;

/**
 * Fuzzes the driver-side Parquet footer check with arbitrary bytes as a whole file. Whatever the bytes, the check
 * passes or fails with an {@link InvalidInputException} naming the file; it never throws anything else (a stack
 * overflow included) and never allocates much more than the input's size.
 */
class ParquetFooterFuzzTest {

    private static final long BASE_ALLOCATION = 4L << 20;
    private static final long ALLOCATION_PER_INPUT_BYTE = 64;

    /** Loads (and has Jazzer instrument) the check's and Thrift's classes, so that allocation counts exclude it. */
    @BeforeAll
    static void loadTheCheck() throws IOException {
        byte[] example = Files.readAllBytes(Path.of(System.getProperty("canopy.repo.root", ".."))
                .resolve("examples/prompts.parquet"));
        for (byte[] input : List.of(example, Arrays.copyOf(example, 100), new byte[0])) {
            check(input);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void checkAnyFooter(byte[] input) {
        long before = allocatedBytes();
        check(input);
        assertThat(allocatedBytes() - before).as("bytes allocated checking %d input bytes", input.length)
                .isLessThan(BASE_ALLOCATION + ALLOCATION_PER_INPUT_BYTE * input.length);
    }

    private static void check(byte[] input) {
        try {
            ParquetFooterCheck.check("fuzz.parquet", input.length, (fromEnd, length) -> Arrays.copyOfRange(input,
                    (int) (input.length - fromEnd - length), (int) (input.length - fromEnd)), ParquetFooterLimits.DEFAULT);
        } catch (InvalidInputException expected) {
            assertThat(expected).hasMessageStartingWith("Cannot read input: Parquet file fuzz.parquet is refused");
        } catch (IOException e) {
            throw new AssertionError("reading from memory cannot fail", e);
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
