package dev.canopy.pipeline;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import dev.canopy.executor.chat.ChatMessage;

import dev.canopy.pipeline.generate.ChatRenderer;
import dev.canopy.pipeline.generate.GeneratedChoice;
import dev.canopy.pipeline.generate.ModelAdapter;
import dev.canopy.pipeline.generate.ModelAdapterFactory;
import dev.canopy.pipeline.generate.ModelDescription;
import dev.canopy.pipeline.generate.PartitionGenerator;
import dev.canopy.pipeline.generate.ProcessAdapterCache;
import dev.canopy.pipeline.generate.PromptRow;
import dev.canopy.pipeline.generate.PromptTokenizer;
import dev.canopy.pipeline.generate.RowResult;

/**
 * A deterministic test model for the Spark mechanics (partitioning, commit, resume): tokens are BOS plus the
 * prompt's UTF-8 bytes; choice k of a row is {@code "<seed+k>"} followed by the prompt's first max_tokens
 * characters (the prompt decoded from its tokens); it runs a partition's rows in token order, as a planner groups
 * shared prefixes, and a row's cached prompt tokens are the tokens it shares with the row generated before it.
 * When {@code crashFile} exists, a prompt containing "CRASH" fails its whole task, as a lost executor would.
 */
public record ByteEchoAdapter(String name, int contextLength, String crashFile) implements ModelAdapterFactory {

    public ByteEchoAdapter {
        Objects.requireNonNull(name, "name");
    }

    public static ByteEchoAdapter named(String name) {
        return new ByteEchoAdapter(name, 64, null);
    }

    @Override
    public ModelAdapter open() {
        return ProcessAdapterCache.get(this, () -> new Backend(this));
    }

    @Override
    public ModelDescription describe() {
        return new ModelDescription(name, "echo:" + name + ":" + contextLength);
    }

    /** The text choice {@code k} of {@code prompt} gets. */
    public static String expectedText(String prompt, long seed, int k, int maxTokens) {
        return "<" + (seed + k) + ">" + prompt.substring(0, Math.min(prompt.length(), maxTokens));
    }

    private record Backend(ByteEchoAdapter settings) implements ModelAdapter {

        @Override
        public String modelName() {
            return settings.name;
        }

        @Override
        public int contextLength() {
            return settings.contextLength;
        }

        @Override
        public ChatRenderer chatRenderer() {
            return messages -> {
                StringBuilder prompt = new StringBuilder();
                for (ChatMessage m : messages) {
                    prompt.append(m.role()).append(": ").append(m.content()).append('\n');
                }
                return prompt.append("assistant:").toString();
            };
        }

        @Override
        public PromptTokenizer tokenizer() {
            return ByteEchoAdapter::tokens;
        }

        @Override
        public PartitionGenerator generator() {
            return this::generate;
        }

        private void generate(List<PromptRow> rows, Consumer<RowResult> sink) {
            int[] previous = new int[0];
            List<PromptRow> ordered = new ArrayList<>(rows);
            ordered.sort(Comparator.comparing(PromptRow::tokens, Arrays::compare));
            for (PromptRow row : ordered) {
                String prompt = prompt(row.tokens());
                if (settings.crashFile != null && prompt.contains("CRASH")
                        && Files.exists(Path.of(settings.crashFile))) {
                    throw new IllegalStateException("Cannot generate: crash requested by " + settings.crashFile);
                }
                int[] tokens = row.tokens();
                int shared = sharedPrefix(previous, tokens);
                previous = tokens;
                List<GeneratedChoice> choices = new ArrayList<>();
                for (int k = 0; k < row.sampling().n(); k++) {
                    String text = expectedText(prompt, row.sampling().seed(), k, row.sampling().maxTokens());
                    String finish = prompt.length() > row.sampling().maxTokens() ? "length" : "stop";
                    choices.add(new GeneratedChoice(text, finish, Math.min(prompt.length(),
                            row.sampling().maxTokens())));
                }
                sink.accept(new RowResult.Generated(row.rowId(), choices, tokens.length, shared,
                        choices.stream().mapToInt(GeneratedChoice::tokens).sum(), 1_000_000L));
            }
        }
    }

    static int[] tokens(String prompt) {
        byte[] bytes = prompt.getBytes(StandardCharsets.UTF_8);
        int[] tokens = new int[bytes.length + 1]; // (1 + bytes,)
        tokens[0] = 1;
        for (int i = 0; i < bytes.length; i++) {
            tokens[i + 1] = (bytes[i] & 0xff) + 3;
        }
        return tokens;
    }

    /** The text of {@link #tokens}: the bytes after BOS. */
    static String prompt(int[] tokens) {
        byte[] bytes = new byte[tokens.length - 1];
        for (int i = 1; i < tokens.length; i++) {
            bytes[i - 1] = (byte) (tokens[i] - 3);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int sharedPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return Math.min(i, b.length - 1);
    }
}
