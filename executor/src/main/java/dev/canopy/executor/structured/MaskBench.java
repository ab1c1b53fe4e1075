package dev.canopy.executor.structured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.executor.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Evaluates the grammar engine on MaskBench files (JSONSchemaBench's {@code maskbench/data}), as that
 * benchmark does: for each schema, compile it and compute the first mask (time to first mask); feed
 * each valid instance's tokens, requiring each to be in the mask computed before it (time between
 * masks) and the end to be allowed after the last; feed each invalid instance, requiring some token to
 * be refused or the end to be unreachable. Instances are written as compact JSON (Jackson) and
 * tokenized without special tokens. One thread.
 */
public final class MaskBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tokenizer tokenizer;
    private final TokenTrie trie;

    public MaskBench(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.trie = TokenTrie.of(tokenizer);
    }

    /** What one schema file gave. */
    public record SchemaResult(String file, String split, Outcome outcome, String detail, long firstMaskNanos,
            long[] maskNanos, int validInstances, int invalidInstances) {}

    public enum Outcome { PASSING, COMPILE_ERROR, VALIDATION_ERROR, INVALIDATION_ERROR, INTERNAL_ERROR }

    /** Runs every {@code *.json} file under {@code dir} whose name starts with {@code prefix} (empty: all), sorted by name. */
    public List<SchemaResult> run(Path dir, String prefix, int limit) {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().limit(limit).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list MaskBench files in " + dir + ": " + e.getMessage(), e);
        }
        List<SchemaResult> results = new ArrayList<>(files.size());
        for (Path f : files) {
            results.add(runFile(f));
        }
        return results;
    }

    /** The split of a MaskBench file name: {@code Github_easy---o1.json -> Github_easy}, {@code BFCL_simple_3.json -> BFCL_simple}. */
    public static String split(String fileName) {
        int sep = fileName.indexOf("---");
        if (sep >= 0) {
            return fileName.substring(0, sep);
        }
        return fileName.replaceAll("_[0-9]+\\.json$", "").replaceAll("\\.json$", "");
    }

    SchemaResult runFile(Path file) {
        String name = file.getFileName().toString();
        String split = split(name);
        JsonNode doc;
        try {
            doc = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read MaskBench file " + file + ": " + e.getMessage(), e);
        }
        List<JsonNode> valid = new ArrayList<>();
        List<JsonNode> invalid = new ArrayList<>();
        doc.path("tests").forEach(t -> (t.path("valid").asBoolean() ? valid : invalid).add(t.path("data")));
        long start = System.nanoTime();
        TokenGrammar grammar;
        try {
            grammar = new TokenGrammar(GrammarCache.compileSchema(doc.get("schema"), true), trie);
            grammar.matcher().allowedTokens();
        } catch (UnsupportedSchemaException e) {
            return new SchemaResult(name, split, Outcome.COMPILE_ERROR, e.getMessage(), 0, new long[0], valid.size(), invalid.size());
        } catch (RuntimeException | StackOverflowError e) {
            return new SchemaResult(name, split, Outcome.INTERNAL_ERROR, e.toString(), 0, new long[0], valid.size(), invalid.size());
        }
        long firstMask = System.nanoTime() - start;
        List<Long> masks = new ArrayList<>();
        Outcome outcome = Outcome.PASSING;
        String detail = "";
        try {
            for (JsonNode v : valid) {
                String refused = feedValid(grammar, JsonTerminals.encode(v), masks);
                if (refused != null && outcome == Outcome.PASSING) {
                    outcome = Outcome.VALIDATION_ERROR;
                    detail = refused;
                }
            }
            for (JsonNode v : invalid) {
                String text = JsonTerminals.encode(v);
                if (accepts(grammar, text)) {
                    outcome = Outcome.INVALIDATION_ERROR;
                    detail = "accepted invalid instance " + abbreviate(text);
                }
            }
        } catch (RuntimeException | StackOverflowError e) {
            outcome = Outcome.INTERNAL_ERROR;
            detail = e.toString();
        }
        long[] times = masks.stream().mapToLong(Long::longValue).toArray();
        return new SchemaResult(name, split, outcome, detail, firstMask, times, valid.size(), invalid.size());
    }

    /** Feeds a valid instance; null when every token was allowed and the end reached, else what went wrong. */
    private String feedValid(TokenGrammar grammar, String text, List<Long> masks) {
        TokenMatcher m = grammar.matcher();
        int[] tokens = tokenizer.encode(text, false, false);
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i <= tokens.length; i++) {
            long t0 = System.nanoTime();
            long[] mask = m.allowedTokens();
            masks.add(System.nanoTime() - t0);
            if (i == tokens.length) {
                return m.isComplete() ? null : "valid instance incomplete: " + abbreviate(text);
            }
            int t = tokens[i];
            if ((mask[t >>> 6] & (1L << t)) == 0 || !m.accept(t)) {
                return "refused token " + abbreviate(new String(tokenizer.tokenBytes(t), java.nio.charset.StandardCharsets.UTF_8))
                        + " after " + abbreviate(prefix.toString());
            }
            prefix.append(new String(tokenizer.tokenBytes(t), java.nio.charset.StandardCharsets.UTF_8));
        }
        return null;
    }

    private boolean accepts(TokenGrammar grammar, String text) {
        TokenMatcher m = grammar.matcher();
        for (int t : tokenizer.encode(text, false, false)) {
            if (!m.accept(t)) {
                return false;
            }
        }
        return m.isComplete();
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 60) + "..." + s.substring(s.length() - 57);
    }

    /** Per-split summary rows (in split order) plus a TOTAL row. */
    public static Map<String, Summary> summarize(List<SchemaResult> results) {
        Map<String, List<SchemaResult>> bySplit = new TreeMap<>();
        for (SchemaResult r : results) {
            bySplit.computeIfAbsent(r.split(), k -> new ArrayList<>()).add(r);
        }
        Map<String, Summary> out = new java.util.LinkedHashMap<>();
        bySplit.forEach((k, v) -> out.put(k, Summary.of(v)));
        out.put("TOTAL", Summary.of(results));
        return out;
    }

    /** Counts and timing percentiles (µs) of a set of schema results. */
    public record Summary(int schemas, int passing, int compileErrors, int validationErrors, int invalidationErrors,
            int internalErrors, long masks, double[] firstMaskMicros, double[] betweenMasksMicros) {

        /** The percentiles reported, in order. */
        public static final double[] PERCENTILES = {50, 90, 99, 100};

        static Summary of(List<SchemaResult> rs) {
            int[] counts = new int[Outcome.values().length];
            List<Long> first = new ArrayList<>();
            int n = 0;
            for (SchemaResult r : rs) {
                counts[r.outcome().ordinal()]++;
                if (r.outcome() != Outcome.COMPILE_ERROR && r.outcome() != Outcome.INTERNAL_ERROR) {
                    first.add(r.firstMaskNanos());
                }
                n += r.maskNanos().length;
            }
            long[] between = new long[n];
            int i = 0;
            for (SchemaResult r : rs) {
                System.arraycopy(r.maskNanos(), 0, between, i, r.maskNanos().length);
                i += r.maskNanos().length;
            }
            return new Summary(rs.size(), counts[0], counts[1], counts[2], counts[3], counts[4], n,
                    percentiles(first.stream().mapToLong(Long::longValue).toArray()), percentiles(between));
        }

        private static double[] percentiles(long[] nanos) {
            double[] out = new double[PERCENTILES.length];
            if (nanos.length == 0) {
                return out;
            }
            long[] sorted = nanos.clone();
            java.util.Arrays.sort(sorted);
            for (int p = 0; p < PERCENTILES.length; p++) {
                int idx = (int) Math.min(sorted.length - 1, Math.ceil(PERCENTILES[p] / 100.0 * sorted.length) - 1);
                out[p] = sorted[Math.max(0, idx)] / 1000.0;
            }
            return out;
        }
    }
}
