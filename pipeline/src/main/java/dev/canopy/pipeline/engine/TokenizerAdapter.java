package dev.canopy.pipeline.engine;

import java.util.List;
import java.util.OptionalInt;

import dev.canopy.executor.chat.ChatMessage;
import dev.canopy.executor.chat.ChatTemplate;
import dev.canopy.executor.chat.ChatTemplateLimits;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.pipeline.generate.ChatRenderer;
import dev.canopy.pipeline.generate.ModelAdapter;
import dev.canopy.pipeline.generate.PartitionGenerator;
import dev.canopy.pipeline.generate.PromptTokenizer;

/**
 * The prompt side of a model: its tokenizer, chat template and context, from the GGUF file alone (weights mapped,
 * not touched; no compute backend, no KV pool). Planning prepares and tokenizes every prompt with it, so the
 * executors open their engines only when they generate. {@link EngineAdapter} serves its prompts through one.
 */
final class TokenizerAdapter implements ModelAdapter {

    private final Model model;
    private final String modelName;
    private final ChatRenderer chat;
    private final int maxCharsPerToken;

    TokenizerAdapter(Model model, String modelName) {
        this.model = model;
        this.modelName = modelName;
        this.maxCharsPerToken = maxCharsPerToken(model.tokenizer());
        this.chat = ChatTemplate.fromModel(model.file().metadata(), ChatTemplateLimits.DEFAULT)
                .<ChatRenderer>map(TemplateChatRenderer::new)
                .orElse(TokenizerAdapter::noTemplate);
    }

    private static String noTemplate(List<ChatMessage> messages) {
        throw new IllegalArgumentException("Cannot render messages: the model has no chat template ("
                + ChatTemplate.METADATA_KEY + "); give prompts as strings instead");
    }

    @Override
    public String modelName() {
        return modelName;
    }

    @Override
    public int contextLength() {
        return model.config().contextLength();
    }

    @Override
    public OptionalInt maxCharsPerToken() {
        return OptionalInt.of(maxCharsPerToken);
    }

    /**
     * The longest vocabulary entry, in chars, and at least 4: a token never stands for more prompt characters than
     * its entry has (SentencePiece writes a space as one '▁', byte-level BPE one char per byte; a byte-fallback
     * entry such as {@code <0x41>} is longer than the char it stands for, an unknown char is at most 2).
     */
    static int maxCharsPerToken(Tokenizer tokenizer) {
        int longest = 4;
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            longest = Math.max(longest, tokenizer.piece(id).length());
        }
        return longest;
    }

    @Override
    public ChatRenderer chatRenderer() {
        return chat;
    }

    @Override
    public PromptTokenizer tokenizer() {
        Tokenizer tokenizer = model.tokenizer();
        return prompt -> tokenizer.encode(prompt, tokenizer.addBosByDefault(), false);
    }

    /** Always throws: this backend prepares prompts; generating needs the engine ({@link EngineAdapterFactory#open}). */
    @Override
    public PartitionGenerator generator() {
        throw new UnsupportedOperationException("Cannot generate with the tokenizer of " + modelName
                + ": it was opened to prepare prompts; generate with the backend that ModelAdapterFactory.open returns");
    }
}
