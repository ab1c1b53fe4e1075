package dev.canopy.integration;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Starts Canopy's jobs as separate JVMs, the way a user or a scheduler does, from the jars the jobs module
 * packaged: {@code jobs/target/canopy-jobs.jar} with {@code lib/} and {@code spark-lib/} (what
 * {@code bin/canopy batch} runs), and {@code canopy-jobs-spark.jar} under {@code SparkSubmit}.
 */
final class JobProcess {

    static final Path ROOT = Path.of(System.getProperty("canopy.repo.root", "..")).toAbsolutePath().normalize();
    static final Path JOBS = ROOT.resolve("jobs/target");
    static final Path SHADED_JAR = JOBS.resolve("canopy-jobs-spark.jar");
    static final Path SPARK_LIB = JOBS.resolve("spark-lib");

    /** A finished process: exit code and everything it printed. */
    record Result(int code, String output) {}

    private JobProcess() {}

    /** {@code canopy batch ARGS} on embedded local Spark (the class bin/canopy's batch command runs). */
    static ProcessBuilder batch(Path logFile, String... args) {
        requireBuilt(JOBS.resolve("canopy-jobs.jar"));
        String classPath = String.join(File.pathSeparator, JOBS.resolve("canopy-jobs.jar").toString(),
                JOBS.resolve("lib") + File.separator + "*", SPARK_LIB + File.separator + "*");
        return java(logFile, classPath, "dev.canopy.jobs.BatchGenerate", args);
    }

    /** {@code spark-submit --master MASTER --class dev.canopy.jobs.BatchGenerate canopy-jobs-spark.jar ARGS}. */
    static ProcessBuilder sparkSubmit(Path logFile, String master, Map<String, String> env, String... args)
            throws IOException {
        requireBuilt(SHADED_JAR);
        List<String> submit = new ArrayList<>(List.of("--master", master, "--conf", "spark.ui.enabled=false",
                "--conf", "spark.executor.extraJavaOptions=-Xss4m", "--class", "dev.canopy.jobs.BatchGenerate",
                SHADED_JAR.toString()));
        submit.addAll(Arrays.asList(args));
        String classPath = String.join(File.pathSeparator, clusterJars().stream().map(Path::toString).toList());
        ProcessBuilder builder = java(logFile, classPath, "org.apache.spark.deploy.SparkSubmit",
                submit.toArray(String[]::new));
        builder.environment().putAll(env);
        return builder;
    }

    /**
     * The jars of a Spark cluster's class path: Spark and its libraries. These are spark-lib/ plus the jars of lib/
     * that Spark shares with Canopy (Maven lists a jar both need only once, in lib/), leaving out Canopy's own
     * jars and the libraries the shaded jar bundles unrelocated, so that the job can only run from the shaded jar.
     */
    static List<Path> clusterJars() throws IOException {
        Set<String> bundled = new HashSet<>();
        try (ZipFile shaded = new ZipFile(SHADED_JAR.toFile())) {
            shaded.stream().map(ZipEntry::getName).forEach(bundled::add);
        }
        List<Path> jars = new ArrayList<>();
        try (Stream<Path> spark = Files.list(SPARK_LIB); Stream<Path> lib = Files.list(JOBS.resolve("lib"))) {
            jars.addAll(spark.sorted().toList());
            for (Path jar : lib.sorted().toList()) {
                if (!jar.getFileName().toString().startsWith("canopy-") && !bundledUnrelocated(jar, bundled)) {
                    jars.add(jar);
                }
            }
        }
        return jars;
    }

    private static boolean bundledUnrelocated(Path jar, Set<String> bundled) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName)
                    .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/") && !n.endsWith("module-info.class"))
                    .findFirst().map(bundled::contains).orElse(false);
        }
    }

    /** Runs {@code builder} to the end (at most {@code minutes}) and returns its exit code and output. */
    static Result run(ProcessBuilder builder, Path logFile, int minutes) throws IOException, InterruptedException {
        Process process = builder.start();
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("job ran over " + minutes + " minutes:\n" + Files.readString(logFile));
        }
        return new Result(process.exitValue(), Files.readString(logFile));
    }

    private static ProcessBuilder java(Path logFile, String classPath, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("canopy.job.jvm.flags", "").trim().split("\\s+")));
        command.addAll(List.of("-Xmx1g", "-Dlog4j2.configurationFile=" + ROOT.resolve("conf/log4j2.properties"),
                "-cp", classPath, mainClass));
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
    }

    private static void requireBuilt(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Cannot start the job: " + jar + " is missing; build with `mvn verify`"
                    + " (the jobs module packages it before these tests run)");
        }
    }
}
