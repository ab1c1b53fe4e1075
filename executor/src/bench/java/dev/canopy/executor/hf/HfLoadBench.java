package dev.canopy.executor.hf;

import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.QuantScheme;
import dev.canopy.executor.model.SyntheticModel;
import dev.canopy.executor.tensor.GgmlType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Load time and peak memory of a checkpoint directory next to its GGUF (run by
 * {@code scripts/hf-load-bench.sh}, one JVM per measurement so each peak RSS is its own).
 * {@code prepare DIR}: a 1.1B-parameter synthetic llama model (dim 2048, 16 layers, 32/8 heads, FFN 8192,
 * vocab 32000) in BF16 as DIR/model.gguf and as the checkpoint DIR/hf. {@code load PATH [Q8_0]}: opens
 * PATH (a directory converts into $CANOPY_HF_CACHE first; with a scheme, quantized at load:
 * {@link CheckpointLoadOptions}) and prints
 * the seconds until the model is ready and the process's peak RSS.
 */
public final class HfLoadBench {

    private HfLoadBench() {}

    public static void main(String[] args) throws IOException {
        if (args[0].equals("prepare")) {
            Path dir = Files.createDirectories(Path.of(args[1]));
            SyntheticModel.Shape shape = new SyntheticModel.Shape(2048, 16, 32, 8, 8192, 32000, 2048);
            SyntheticModel.write(dir.resolve("model.gguf"), shape, GgmlType.BF16, 1);
            CheckpointFromGguf.write(dir.resolve("model.gguf"), dir.resolve("hf"));
            System.out.printf("prepared %s: %,d parameters%n", dir, shape.parameterCount());
            return;
        }
        Path path = Path.of(args[1]);
        Optional<QuantScheme> scheme = args.length > 2 ? QuantScheme.fromName(args[2]) : Optional.empty();
        long t0 = System.nanoTime();
        CheckpointLoadOptions options = CheckpointLoadOptions.defaults();
        Path model = scheme.map(options::withQuantize).orElse(options).gguf(path); // converts when not cached yet
        try (Model m = Model.load(model)) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("load %s%s: %.2f s to ready, %d layers, %s weights, peak RSS %s%n", path.getFileName(),
                    scheme.map(s -> " quantized at load to " + s).orElse(""), seconds, m.config().layers(),
                    m.weights().layers().getFirst().wq().type(), peakRss());
        }
    }

    private static String peakRss() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                .map(l -> l.replaceAll("\\s+", " ").substring(7)).findFirst().orElse("?");
    }
}
