package dev.canopy.pipeline.input;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.format.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet footers are checked on the driver, in bounded memory and without recursion, before Spark reads them: a
 * hostile footer fails with the file and the limit it passes, and real files pass. No Spark here: the check runs
 * before Spark is asked to do anything.
 */
class ParquetFooterCheckTest {

    @TempDir
    Path dir;

    @Test
    void aSchemaNested100000LevelsDeepIsRefusedNamingTheFile() throws IOException {
        Path file = HostileParquet.write(dir.resolve("deep.parquet"), HostileParquet.nested(100_000), List.of());
        assertRefused(file, "its schema nests groups more than 64 levels deep (at element 65 'g64')");
    }

    @Test
    void aSchemaAtTheDepthLimitPasses() throws IOException {
        Path file = HostileParquet.write(dir.resolve("ok.parquet"), HostileParquet.nested(64), List.of());
        assertThatCode(() -> check(file)).doesNotThrowAnyException();
    }

    @Test
    void tooManyColumnsAreRefused() throws IOException {
        Path file = HostileParquet.write(dir.resolve("wide.parquet"), HostileParquet.wide(10_001), List.of());
        assertRefused(file, "its schema has more than 10000 columns");
    }

    @Test
    void deeplyNestedSparkSchemaMetadataIsRefused() throws IOException {
        String json = "[".repeat(100_000) + "]".repeat(100_000);
        Path file = HostileParquet.write(dir.resolve("meta.parquet"), HostileParquet.wide(1),
                List.of(new KeyValue("org.apache.spark.sql.parquet.row.metadata").setValue(json)));
        assertRefused(file, "its key-value metadata 'org.apache.spark.sql.parquet.row.metadata' nests brackets 100000"
                + " levels deep, more than the 256 allowed");
    }

    @Test
    void aFooterLongerThanTheFileIsRefused() throws IOException {
        Path file = dir.resolve("short.parquet");
        Files.write(file, new byte[] {'P', 'A', 'R', '1', 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0, 'P', 'A', 'R',
                '1'});
        assertRefused(file, "its footer claims 65535 bytes, but the file has only 16");
    }

    @Test
    void aFileThatIsNotParquetIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.parquet"), "{\"prompt\": \"hello\"}\n");
        assertRefused(file, "it does not end with the Parquet magic PAR1; is it a Parquet file?");
    }

    @Test
    void theExamplePromptsPass() {
        Path examples = Path.of(System.getProperty("canopy.repo.root", "..")).resolve("examples/prompts.parquet");
        assertThatCode(() -> check(examples)).doesNotThrowAnyException();
    }

    @Test
    void aFolderIsCheckedFileByFileSkippingWhatSparkSkips() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("table/part=1"));
        HostileParquet.write(folder.resolve("good.parquet"), HostileParquet.wide(2), List.of());
        HostileParquet.write(folder.resolve("_ignored.parquet"), HostileParquet.nested(1_000), List.of());
        check(dir.resolve("table"));

        Path bad = HostileParquet.write(folder.resolve("bad.parquet"), HostileParquet.nested(1_000), List.of());
        assertRefused(dir.resolve("table"), bad, "its schema nests groups more than 64 levels deep");
    }

    private static void check(Path location) {
        ParquetInputCheck.check(new Configuration(), location.toString(), ParquetFooterLimits.DEFAULT);
    }

    private static void assertRefused(Path file, String problem) {
        assertRefused(file, file, problem);
    }

    private static void assertRefused(Path location, Path file, String problem) {
        assertThatThrownBy(() -> check(location)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Cannot read input: Parquet file file:" + file + " is refused before Spark "
                        + "reads it: " + problem);
    }
}
