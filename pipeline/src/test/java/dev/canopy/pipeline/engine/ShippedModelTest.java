package dev.canopy.pipeline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.executor.TestModels;
import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.generate.InvalidModelException;

/** Where an executor finds the model file the driver shipped (here the driver's own file root stands in). */
class ShippedModelTest {

    private final Path model = TestModels.stories260kF32();
    private final String fingerprint = ModelFingerprint.of(model);
    private final ShippedFile withoutUrl = new ShippedFile(null, fingerprint);
    private Path root;
    private Path placed; // a copy this test put under the file root, removed after it
    private Path placedFolder; // a session folder this test made under the file root, removed after it

    @BeforeEach
    void spark() {
        SharedSpark.session(); // SparkFiles needs a SparkEnv
        root = Path.of(SparkFiles.getRootDirectory()).toAbsolutePath();
    }

    @AfterEach
    void removeCopy() throws IOException {
        if (placed != null) {
            Files.deleteIfExists(placed);
        }
        if (placedFolder != null) {
            Files.delete(placedFolder);
        }
    }

    @Test
    void theCopyWhereSparkNamesItIsOpened() throws IOException {
        placed = Files.copy(model, root.resolve(model.getFileName()));
        assertThat(ShippedModel.find("/elsewhere/" + model.getFileName(), withoutUrl)).isEqualTo(placed);
    }

    @Test
    void aCopyInASessionFolderBelowTheRootIsFoundByItsFingerprint() throws IOException {
        placedFolder = Files.createDirectories(root.resolve("session-test-" + System.nanoTime()));
        placed = Files.copy(model, placedFolder.resolve(model.getFileName()));
        assertThat(ShippedModel.find("/elsewhere/" + model.getFileName(), withoutUrl)).isEqualTo(placed);
    }

    @Test
    void aCopySparkDidNotSendIsFetchedFromTheDriversFileServer(@TempDir Path dir) throws IOException {
        String name = "fetched-" + System.nanoTime() + ".gguf"; // a name the file server has not served yet
        Path served = Files.copy(model, dir.resolve(name));
        String url = SparkEnv.get().rpcEnv().fileServer().addFile(served.toFile());
        placed = root.resolve(name);

        Path opened = ShippedModel.find("/elsewhere/" + name, new ShippedFile(url, fingerprint));

        assertThat(opened).isEqualTo(placed);
        assertThat(ModelFingerprint.of(opened)).isEqualTo(fingerprint);
        try (var left = Files.list(root)) {
            assertThat(left).as("no partial download left behind").noneMatch(p -> p.toString().endsWith(".part"));
        }
    }

    @Test
    void withoutACopyTheDriversPathIsOpenedWhereThisMachineHasTheSameFile() {
        assertThat(ShippedModel.find(model.toString(), withoutUrl)).isEqualTo(model);
    }

    @Test
    void withoutACopyOrTheSameFileTheErrorSaysWhereItLookedAndWhatTheRootHolds(@TempDir Path dir) throws IOException {
        Path other = Files.writeString(dir.resolve(model.getFileName().toString()), "not the shipped model");
        String url = "spark://127.0.0.1:1/files/" + model.getFileName();
        assertThatThrownBy(() -> ShippedModel.find(other.toString(), new ShippedFile(url, fingerprint)))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageStartingWith("Cannot open model '" + other + "': the copy the driver shipped is not at "
                        + root.resolve(model.getFileName()) + " on this executor, nor in its file root " + root)
                .hasMessageEndingWith("it could not be fetched from " + url + ", and " + other
                        + " here is not the same file");
    }
}
