package dev.canopy.executor.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.safetensors.SafetensorsFile;
import dev.canopy.executor.tokenizer.HfTokenizerLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open Hugging Face checkpoint directory: {@code config.json}, {@code model.safetensors} or the
 * shards that {@code model.safetensors.index.json} lists (each memory-mapped and validated),
 * {@code tokenizer.json}, and where present {@code tokenizer_config.json},
 * {@code generation_config.json} and {@code chat_template.jinja}.
 */
public final class HfCheckpoint implements AutoCloseable {

    private final Path dir;
    private final HfModelConfig config;
    private final Map<String, SafetensorsFile> tensorFiles; // HF tensor name → the shard holding it
    private final List<SafetensorsFile> shards;

    private HfCheckpoint(Path dir, HfModelConfig config, Map<String, SafetensorsFile> tensorFiles, List<SafetensorsFile> shards) {
        this.dir = dir;
        this.config = config;
        this.tensorFiles = tensorFiles;
        this.shards = shards;
    }

    /** Whether {@code path} looks like a checkpoint directory (a directory with a config.json). */
    public static boolean isCheckpoint(Path path) {
        return Files.isDirectory(path) && Files.isRegularFile(path.resolve("config.json"));
    }

    /**
     * Opens {@code dir}.
     *
     * @throws ModelFormatException naming the file and field when a file is missing or malformed
     */
    public static HfCheckpoint open(Path dir) {
        Path configFile = require(dir, "config.json");
        HfModelConfig config = HfModelConfig.of(configFile, HfTokenizerLoader.readJson(configFile));
        List<SafetensorsFile> shards = new ArrayList<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            for (Path shard : shardPaths(dir)) {
                SafetensorsFile file = SafetensorsFile.open(shard);
                shards.add(file);
                for (String name : file.tensorInfos().keySet()) {
                    SafetensorsFile previous = byName.put(name, file);
                    if (previous != null) {
                        throw new ModelFormatException(shard, "tensor " + name + " is also in " + previous.path().getFileName());
                    }
                }
            }
            return new HfCheckpoint(dir, config, byName, shards);
        } catch (RuntimeException e) {
            shards.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public HfModelConfig config() {
        return config;
    }

    /** HF tensor names → the shard holding each, in shard order. */
    public Map<String, SafetensorsFile> tensorFiles() {
        return tensorFiles;
    }

    public Path tokenizerJson() {
        return require(dir, "tokenizer.json");
    }

    public Optional<Path> file(String name) {
        Path p = dir.resolve(name);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** {@code generation_config.json}'s {@code eos_token_id} (a number or a list), if any. */
    public List<Integer> generationEosIds() {
        return file("generation_config.json").map(HfTokenizerLoader::readJson).map(json -> {
            JsonNode eos = json.path("eos_token_id");
            List<Integer> ids = new ArrayList<>();
            if (eos.isIntegralNumber()) {
                ids.add(eos.intValue());
            }
            eos.forEach(id -> ids.add(id.intValue()));
            return ids;
        }).orElse(List.of());
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }

    private static List<Path> shardPaths(Path dir) {
        Optional<Path> index = Optional.of(dir.resolve("model.safetensors.index.json")).filter(Files::isRegularFile);
        if (index.isEmpty()) {
            return List.of(require(dir, "model.safetensors"));
        }
        JsonNode weightMap = HfTokenizerLoader.readJson(index.get()).path("weight_map");
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw new ModelFormatException(index.get(), "field weight_map: expected an object of tensor → shard file");
        }
        LinkedHashSet<Path> shards = new LinkedHashSet<>();
        for (JsonNode shard : weightMap) {
            String name = shard.asText("");
            if (!name.matches("[A-Za-z0-9._-]+\\.safetensors")) {
                throw new ModelFormatException(index.get(), "field weight_map: expected shard file names in this directory,"
                        + " found '" + name + "'");
            }
            shards.add(require(dir, name));
        }
        return List.copyOf(shards);
    }

    private static Path require(Path dir, String name) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new ModelFormatException(p, "file does not exist; a Hugging Face checkpoint directory needs " + name);
        }
        return p;
    }
}
