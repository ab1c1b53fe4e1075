package dev.canopy.jobs.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The bundled example dataset {@code examples/prompts.parquet}: 300 story prompts, ten shared openings with
 * thirty continuations each, so that partitioning by prefix and the prefix cache have something to share.
 * {@code main(path)} writes it as one Parquet file.
 */
public final class ExamplePrompts {

    /** Columns: {@code id} (string, "story-OO-CC") and {@code prompt}. */
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("prompt", DataTypes.StringType, false);

    static final String[] OPENINGS = {
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the sun.",
        "One day, a small dog named Max found a big red ball in the park near his house.",
        "Tom and his mom went to the store to buy some food for dinner. Tom saw a toy car.",
        "There was a happy bird who lived in a tall tree. Every morning, the bird would sing.",
        "Sara had a blue box with a secret inside. She did not want anyone to see it.",
        "Ben liked to build big towers with his blocks. One day, his tower fell down.",
        "In a small town, there lived a kind old man who had a garden full of flowers.",
        "The sun was shining and the sky was blue. Anna and her friend went to the beach.",
        "A little cat named Kitty was very hungry. She looked for food in the kitchen.",
        "Once upon a time, in a big forest, there lived a brave bear named Bob.",
    };

    static final String[] CONTINUATIONS = {
        "Then", "Suddenly,", "After that,", "The next day,", "But", "So", "Later,", "That night,", "Soon,",
        "Then she saw", "Then he saw", "She said,", "He said,", "They wanted to", "It was",
        "One day,", "When they got home,", "Her mom said,", "His friend said,", "They all",
        "The end came when", "Everyone was", "In the morning,", "At the park,", "Inside the box,",
        "Under the tree,", "With a big smile,", "Because of this,", "From that day on,", "Finally,",
    };

    private ExamplePrompts() {}

    /** The 300 rows, in a fixed order. */
    public static List<Row> rows() {
        List<Row> rows = new ArrayList<>(OPENINGS.length * CONTINUATIONS.length);
        for (int o = 0; o < OPENINGS.length; o++) {
            for (int c = 0; c < CONTINUATIONS.length; c++) {
                rows.add(RowFactory.create(String.format(Locale.ROOT, "story-%02d-%02d", o, c),
                        OPENINGS[o] + " " + CONTINUATIONS[c]));
            }
        }
        return rows;
    }

    /** Writes the rows to {@code file} as a single Parquet file, replacing it. */
    public static void write(SparkSession spark, Path file) throws IOException {
        Path staging = Files.createTempDirectory("canopy-examples");
        try {
            Path dir = staging.resolve("parquet");
            spark.createDataFrame(rows(), SCHEMA).coalesce(1).write().parquet(dir.toString());
            try (Stream<Path> parts = Files.list(dir)) {
                Path part = parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst()
                        .orElseThrow(() -> new IOException("Cannot write " + file + ": Spark wrote no part file"));
                Files.copy(part, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            try (Stream<Path> all = Files.walk(staging)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** {@code ExamplePrompts examples/prompts.parquet}: regenerates the bundled file. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ExamplePrompts OUTPUT.parquet");
            System.exit(2);
        }
        SparkSession spark = SparkSession.builder().master("local[1]").appName("canopy examples")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            write(spark, Path.of(args[0]));
        } finally {
            spark.stop();
        }
    }
}
