package dev.canopy.executor;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the shared test models: {@code $CANOPY_MODELS_DIR}, else {@code ../shared/models} next to
 * the repository root.
 */
public final class TestModels {

    private TestModels() {}

    public static Path dir() {
        String env = System.getenv("CANOPY_MODELS_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String root = System.getProperty("canopy.repo.root", System.getProperty("user.dir"));
        Path p = Path.of(root).toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            Path candidate = q.resolve("../shared/models").normalize();
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Cannot find the shared models: set CANOPY_MODELS_DIR or put them in ../shared/models");
    }

    public static Path stories260kF32() {
        return dir().resolve("stories260K-f32.gguf");
    }

    public static Path stories260kQ8() {
        return dir().resolve("stories260K-q8_0.gguf");
    }
}
