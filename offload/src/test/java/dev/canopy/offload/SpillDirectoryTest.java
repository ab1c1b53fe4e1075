package dev.canopy.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillDirectoryTest {

    @TempDir
    Path temp;

    @Test
    void aMissingDirectoryIsCreated() {
        Path dir = temp.resolve("a/b/spill");
        SpillDirectory spill = SpillDirectory.open(dir, 0);
        assertThat(spill.directory()).isEqualTo(dir);
        assertThat(Files.isDirectory(dir)).isTrue();
        assertThat(spill.file("3", 1).getFileName().toString())
                .isEqualTo("canopy-spill-" + ProcessHandle.current().pid() + "-3-1.kv");
    }

    @Test
    void aFileIsNotADirectory() throws IOException {
        Path file = Files.createFile(temp.resolve("plain"));
        assertThatThrownBy(() -> SpillDirectory.open(file, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use spill directory " + file + ": it exists but is not a directory");
    }

    @Test
    void aDirectoryUnderAFileCannotBeCreated() throws IOException {
        Path dir = Files.createFile(temp.resolve("plain")).resolve("spill");
        assertThatThrownBy(() -> SpillDirectory.open(dir, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Cannot use spill directory " + dir + ": it does not exist and cannot be created");
    }

    @Test
    void tooLittleFreeSpaceIsRefusedNamingTheDirectory() {
        assertThatThrownBy(() -> SpillDirectory.open(temp, Long.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Cannot use spill directory " + temp + ": it has ")
                .hasMessageEndingWith(" usable bytes but at least " + Long.MAX_VALUE + " are required (minFreeBytes)");
    }

    @Test
    void aReadOnlyDirectoryIsRefused() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root may write anywhere");
        Path dir = Files.createDirectory(temp.resolve("ro"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertThatThrownBy(() -> SpillDirectory.open(dir, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Cannot use spill directory " + dir + ": it is not writable");
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void spillFilesOfDeadProcessesAreDeletedAndOthersKept() throws IOException {
        long deadPid = deadPid();
        Path stale = Files.createFile(temp.resolve("canopy-spill-" + deadPid + "-1-0.kv"));
        Path live = Files.createFile(temp.resolve("canopy-spill-" + ProcessHandle.current().pid() + "-1-0.kv"));
        Path foreign = Files.createFile(temp.resolve("notes-" + deadPid + ".kv"));

        SpillDirectory spill = SpillDirectory.open(temp, 0);

        assertThat(spill.staleFilesRemoved()).isEqualTo(1);
        assertThat(stale).doesNotExist();
        assertThat(live).exists();
        assertThat(foreign).exists();
    }

    @Test
    void onlySpillFileNamesYieldAPid() {
        assertThat(SpillDirectory.ownerPid("canopy-spill-42-7-0.kv")).hasValue(42);
        assertThat(SpillDirectory.ownerPid("canopy-spill-x-7-0.kv")).isEmpty();
        assertThat(SpillDirectory.ownerPid("canopy-spill-42-7-0.tmp")).isEmpty();
    }

    /** A pid no process has now. */
    static long deadPid() {
        long pid = 4_000_000;
        while (ProcessHandle.of(pid).isPresent()) {
            pid++;
        }
        return pid;
    }
}
