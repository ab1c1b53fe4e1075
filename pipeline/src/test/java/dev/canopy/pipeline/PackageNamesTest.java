package dev.canopy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * {@code import dev.canopy.pipeline._} in spark-shell or a Scala notebook brings every subpackage into scope, where a
 * package named {@code spark} shadows the session ({@code spark.read} then fails to compile), and {@code sql},
 * {@code functions} or {@code sc} shadow what Spark users have imported or defined. No Canopy package may have such a
 * segment.
 */
class PackageNamesTest {

    /** Names a Spark user has in scope: the shell's session and context, and Spark's own packages and objects. */
    private static final Set<String> IN_A_SPARK_USERS_SCOPE = Set.of("spark", "sc", "sql", "functions", "implicits",
            "types", "expressions");

    @Test
    void noCanopyPackageShadowsANameASparkUserHasInScope() throws IOException {
        Set<String> packages = canopyPackages();

        assertThat(packages).as("Canopy packages on the test classpath").contains("dev.canopy.pipeline",
                "dev.canopy.pipeline.distributed", "dev.canopy.executor.engine");
        assertThat(packages).allSatisfy(name -> assertThat(Arrays.asList(name.split("\\.")))
                .as("segments of package %s", name).doesNotContainAnyElementsOf(IN_A_SPARK_USERS_SCOPE));
    }

    /** Packages holding classes under dev/canopy in this module and its dependencies (directories or jars). */
    private static Set<String> canopyPackages() throws IOException {
        Set<String> packages = new TreeSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path root = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(root)) {
                try (JarFile jar = new JarFile(root.toFile())) {
                    jar.stream().map(JarEntry::getName)
                            .filter(n -> n.startsWith("dev/canopy/") && n.endsWith(".class"))
                            .map(n -> n.substring(0, n.lastIndexOf('/')).replace('/', '.'))
                            .forEach(packages::add);
                }
                continue;
            }
            if (!Files.isDirectory(root.resolve("dev/canopy"))) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root.resolve("dev/canopy"))) {
                files.filter(p -> p.toString().endsWith(".class"))
                        .map(p -> root.relativize(p.getParent()).toString().replace(File.separatorChar, '.'))
                        .forEach(packages::add);
            }
        }
        return packages;
    }
}
