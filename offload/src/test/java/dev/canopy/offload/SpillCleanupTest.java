package dev.canopy.offload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spill files of a JVM that exits without closing its tier are deleted by the shutdown hook; a killed JVM's by the next run. */
class SpillCleanupTest {

    @TempDir
    Path temp;

    /** The child JVM: opens a disk tier in args[0], spills a block, prints the file paths, then waits or exits. */
    public static final class Child {

        public static void main(String[] args) throws Exception {
            DiskTier tier = new DiskTier(DiskTierConfig.of(Path.of(args[0]), 1 << 16), 64);
            tier.put(new BlockKey(1, 0), TestBlocks.pattern(64, 1));
            tier.files().forEach(System.out::println);
            System.out.println("ready");
            System.out.flush();
            if (args[1].equals("wait")) {
                Thread.sleep(60_000);
            }
            System.exit(0); // without closing the tier
        }
    }

    @Test
    void aJvmExitingWithoutClosingDeletesItsSpillFiles() throws Exception {
        Process child = start("exit");
        List<Path> files = filesPrinted(child);
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(files).isNotEmpty().allSatisfy(f -> assertThat(f).doesNotExist());
    }

    @Test
    void aKilledJvmsSpillFilesAreDeletedByTheNextRun() throws Exception {
        Process child = start("wait");
        List<Path> files = filesPrinted(child);
        assertThat(files).isNotEmpty().allSatisfy(f -> assertThat(f).exists());
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(files).isNotEmpty().allSatisfy(f -> assertThat(f).exists());

        SpillDirectory next = SpillDirectory.open(temp, 0);

        assertThat(next.staleFilesRemoved()).isEqualTo(files.size());
        assertThat(files).allSatisfy(f -> assertThat(f).doesNotExist());
    }

    private Process start(String mode) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), temp.toString(), mode).redirectErrorStream(true).start();
    }

    private static List<Path> filesPrinted(Process child) throws IOException {
        List<Path> files = new ArrayList<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null && !line.equals("ready"); line = out.readLine()) {
            if (line.endsWith(".kv")) {
                files.add(Path.of(line));
            }
        }
        return files;
    }
}
