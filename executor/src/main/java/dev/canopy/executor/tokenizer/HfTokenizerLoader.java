package dev.canopy.executor.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.canopy.executor.gguf.ModelFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Builds an {@link HfTokenizer} from a Hugging Face {@code tokenizer.json} and, where present, its
 * {@code tokenizer_config.json} (BOS and EOS token names). The model must be
 * {@code BPE} (byte-level as in Llama 3, Qwen, DeepSeek, GPT-4o; or SentencePiece-style with byte
 * fallback as in Llama 2, Mistral, Gemma). A component Canopy does not implement, a malformed field
 * or an inconsistent id is a {@link ModelFormatException} naming the file and the field.
 */
public final class HfTokenizerLoader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfTokenizerLoader() {}

    /**
     * Reads {@code tokenizerJson} ({@code .json}, or {@code .json.gz}) and the optional config.
     *
     * @throws ModelFormatException when a file is unreadable, not JSON, or describes a tokenizer Canopy cannot build
     */
    public static HfTokenizer load(Path tokenizerJson, Optional<Path> tokenizerConfig) {
        JsonNode tokenizer = readJson(tokenizerJson);
        JsonNode config = tokenizerConfig.map(HfTokenizerLoader::readJson).orElse(JsonNodeFactory.instance.objectNode());
        try {
            return fromJson(tokenizer, tokenizerJson.getFileName().toString(), config,
                    tokenizerConfig.map(p -> p.getFileName().toString()).orElse("tokenizer_config.json"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(tokenizerJson, e.getMessage(), e);
        }
    }

    /**
     * Builds a tokenizer from {@code tokenizer.json} bytes already in memory (a fuzz test's input);
     * {@code name} names them in errors.
     *
     * @throws ModelFormatException when the bytes are not JSON or describe a tokenizer Canopy cannot build
     */
    public static HfTokenizer parse(Path name, byte[] tokenizerJson) {
        JsonNode tree;
        try {
            tree = JSON.readTree(tokenizerJson);
        } catch (JacksonException e) {
            throw new ModelFormatException(name, "expected JSON, found a syntax error: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(name, "cannot parse: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new ModelFormatException(name, "expected a JSON object, found " + (tree == null ? "nothing" : tree.getNodeType()));
        }
        try {
            return fromJson(tree, name.getFileName().toString(), JsonNodeFactory.instance.objectNode(), "tokenizer_config.json");
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(name, e.getMessage(), e);
        }
    }

    /** Parses a JSON file, gunzipping names that end in {@code .gz}. */
    public static JsonNode readJson(Path file) {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return JSON.readTree(in);
        } catch (JacksonException e) {
            throw new ModelFormatException(file, "expected JSON, found a syntax error at line "
                    + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The tokenizer of parsed {@code tokenizer.json} and {@code tokenizer_config.json} trees.
     *
     * @throws IllegalArgumentException naming the file and field of the first problem
     */
    static HfTokenizer fromJson(JsonNode tokenizerTree, String tokenizerName, JsonNode configTree, String configName) {
        HfJson root = new HfJson(tokenizerName, "", tokenizerTree);
        HfJson config = new HfJson(configName, "", configTree);
        HfJson model = root.get("model");
        String type = model.get("type").textOpt().orElse("BPE");
        if (!type.equals("BPE")) {
            throw model.unsupported("model", type, List.of("BPE"));
        }
        refuseSubwordAffixes(model);
        Map<String, Integer> ids = new HashMap<>();
        List<String> texts = new ArrayList<>();
        readVocab(model.get("vocab"), ids, texts);
        HfVocabularyBuilder vocabulary = new HfVocabularyBuilder(texts, model.get("byte_fallback").bool(false));
        Set<Integer> stripLeft = new HashSet<>();
        Set<Integer> stripRight = new HashSet<>();
        for (HfJson added : root.get("added_tokens").isNull() ? List.<HfJson>of() : root.get("added_tokens").elements()) {
            int id = nonNegative(added.get("id"));
            String content = added.get("content").text();
            vocabulary.put(id, content, added.get("special").bool(false) ? TokenType.CONTROL : TokenType.USER_DEFINED);
            ids.put(content, id);
            if (added.get("lstrip").bool(false)) {
                stripLeft.add(id);
            }
            if (added.get("rstrip").bool(false)) {
                stripRight.add(id);
            }
        }
        OptionalInt unknown = tokenId(model.get("unk_token"), ids);
        unknown.ifPresent(vocabulary::markUnknown);
        HfBpeModel bpe = new HfBpeModel(ids, vocabulary.size(), merges(model.get("merges")),
                new HfBpeModel.Options(model.get("byte_fallback").bool(false), model.get("ignore_merges").bool(false),
                        model.get("fuse_unk").bool(false), unknown));
        // BOS/EOS come from the post-processor only, as in Hugging Face tokenizers and transformers.js (Python's
        // LlamaTokenizerFast would also honour tokenizer_config's add_bos_token; chat templates add BOS themselves)
        HfPostProcessor post = HfPostProcessor.of(root.get("post_processor"), ids);
        checkIds(root.get("post_processor"), post, vocabulary.size());
        Vocabulary vocab = vocabulary.build(specialIds(config, ids, post, unknown), post.addsTokens());
        HfDecoder decoder = HfDecoder.of(root.get("decoder"), true);
        return new HfTokenizer(new HfTokenizer.Parts(vocab, HfNormalizer.of(root.get("normalizer")),
                HfPreTokenizer.of(root.get("pre_tokenizer")), bpe, post, decoder, stripLeft, stripRight));
    }

    private static void readVocab(HfJson vocab, Map<String, Integer> ids, List<String> texts) {
        if (!vocab.node().isObject() || vocab.node().isEmpty()) {
            throw vocab.error("expected an object of token → id with at least one token");
        }
        vocab.node().properties().forEach(entry -> {
            int id = nonNegative(vocab.get(entry.getKey()));
            while (texts.size() <= id) {
                texts.add(null);
            }
            if (texts.get(id) != null) {
                throw vocab.get(entry.getKey()).error("id " + id + " is also the id of '" + texts.get(id) + "'");
            }
            texts.set(id, entry.getKey());
            ids.put(entry.getKey(), id);
        });
    }

    private static List<String[]> merges(HfJson merges) {
        if (merges.isNull()) {
            return List.of();
        }
        List<String[]> rules = new ArrayList<>();
        for (HfJson rule : merges.elements()) {
            if (rule.node().isTextual()) {
                String text = rule.text();
                int space = text.indexOf(' ');
                if (space <= 0 || space == text.length() - 1) {
                    throw rule.error("expected two symbols separated by a space, found '" + text + "'");
                }
                rules.add(new String[] {text.substring(0, space), text.substring(space + 1)});
            } else {
                List<HfJson> pair = rule.elements();
                if (pair.size() != 2) {
                    throw rule.error("expected a pair [left, right], found " + pair.size() + " elements");
                }
                rules.add(new String[] {pair.get(0).text(), pair.get(1).text()});
            }
        }
        return rules;
    }

    private static void refuseSubwordAffixes(HfJson model) {
        for (String field : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (model.get(field).textOpt().filter(s -> !s.isEmpty()).isPresent()) {
                throw model.get(field).error("unsupported BPE option (only empty or null is supported)");
            }
        }
    }

    /**
     * BOS: the configured bos_token, else the template's first token, else the EOS token, else id 0 (Canopy
     * needs one; such a tokenizer never adds it). EOS: the configured eos_token.
     */
    private static SpecialTokenIds specialIds(HfJson config, Map<String, Integer> ids, HfPostProcessor post,
            OptionalInt unknown) {
        OptionalInt eos = tokenId(config.get("eos_token"), ids);
        OptionalInt bos = tokenId(config.get("bos_token"), ids);
        int bosId = bos.isPresent() ? bos.getAsInt()
                : post.prefix().length > 0 ? post.prefix()[0] : eos.orElse(0);
        return new SpecialTokenIds(bosId, eos, OptionalInt.empty(), OptionalInt.empty(), unknown);
    }

    private static void checkIds(HfJson field, HfPostProcessor post, int vocabSize) {
        for (int[] ids : new int[][] {post.prefix(), post.suffix()}) {
            for (int id : ids) {
                if (id < 0 || id >= vocabSize) {
                    throw field.error("token id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
                }
            }
        }
    }

    /** The id of a token named by a string or an {@code {"content": ...}} object; empty for null. */
    static OptionalInt tokenId(HfJson token, Map<String, Integer> ids) {
        if (token.isNull()) {
            return OptionalInt.empty();
        }
        String text = token.node().isObject() ? token.get("content").text() : token.text();
        Integer id = ids.get(text);
        if (id == null) {
            throw token.error("token '" + text + "' is not in the vocabulary or added_tokens");
        }
        return OptionalInt.of(id);
    }

    private static int nonNegative(HfJson id) {
        int value = id.integer();
        if (value < 0 || value > 16_000_000) {
            throw id.error("expected a token id in [0, 16000000], found " + value);
        }
        return value;
    }
}
