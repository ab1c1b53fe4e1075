package dev.canopy.executor.chat;

import dev.canopy.executor.chat.jinja.Template;
import dev.canopy.executor.chat.jinja.TemplateError;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.tokenizer.TokenizerLoader;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A model's chat template (Jinja, as in Hugging Face's {@code tokenizer_config.json} and GGUF's
 * {@code tokenizer.chat_template}): it turns a conversation into the prompt text the model was trained on,
 * exactly as Python Jinja2 renders it with the environment Hugging Face transformers sets up (see
 * {@link Template}, Canopy's own interpreter of the template language).
 *
 * <p>Templates see the variables transformers gives them: {@code messages} (a list of mappings with
 * {@code role}, {@code content} and the message's other fields), {@code tools} (none without tools),
 * {@code documents} (none), {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} and the
 * request's {@code chat_template_kwargs} (e.g. {@code enable_thinking}); and the functions
 * {@code raise_exception(message)}, {@code strftime_now(format)}, {@code range()}, {@code namespace()} and
 * {@code dict()}.
 *
 * <p>A template from a model file is untrusted code. It reaches nothing but those values (there is no
 * Java object behind any name), and every render is bounded by {@link ChatTemplateLimits}: output and
 * string sizes, list sizes, steps, macro depth, bytes allocated and time, each charged before the
 * operation that would spend it. A render runs on the caller's thread and stops there; one that breaks a
 * rule or a bound ends with a {@link RenderResult.Failed} saying which and where.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class ChatTemplate {

    /** The GGUF metadata key of a model's chat template. */
    public static final String METADATA_KEY = "tokenizer.chat_template";

    /**
     * The fallback for models without a template ({@link #plain}): each message as
     * {@code "<role>: <content>"} followed by a blank line, and {@code "assistant: "} as the generation
     * prompt. No special tokens are added: the tokenizer adds the beginning-of-sequence token.
     */
    public static final String PLAIN_SOURCE = "{% for message in messages %}{{ message['role'] }}: "
            + "{{ message['content'] }}\n\n{% endfor %}{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}";

    private final String name;
    private final String source;
    private final Template template;
    private final String bosToken;
    private final String eosToken;
    private final ChatTemplateLimits limits;
    private final Clock clock;

    private ChatTemplate(String name, String source, Template template, String bosToken, String eosToken,
                         ChatTemplateLimits limits, Clock clock) {
        this.name = name;
        this.source = source;
        this.template = template;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * Parses {@code source} and checks it can be used.
     *
     * @param name how errors name the template, e.g. the model file it came from
     * @param bosToken the text of the beginning-of-sequence token ({@code bos_token}), or ""
     * @param eosToken the text of the end-of-sequence token ({@code eos_token}), or ""
     * @throws ChatTemplateException if the template is too long or too deeply nested, does not parse (as
     *     Jinja2 would refuse it: unknown tags, filters or tests included), or uses a disabled tag
     */
    public static ChatTemplate compile(String name, String source, String bosToken, String eosToken,
                                       ChatTemplateLimits limits) {
        if (name == null || source == null || bosToken == null || eosToken == null || limits == null) {
            throw new IllegalArgumentException("Cannot compile chat template " + name
                    + ": name, source, bosToken, eosToken and limits must all be set");
        }
        TemplateSourceCheck.check(name, source, limits).ifPresent(error -> {
            throw new ChatTemplateException(error);
        });
        try {
            return new ChatTemplate(name, source, Template.parse(source), bosToken, eosToken, limits,
                    Clock.systemUTC());
        } catch (TemplateError e) {
            throw new ChatTemplateException(error(name, e));
        }
    }

    /**
     * The chat template stored in a model's metadata ({@value #METADATA_KEY}), with the model's
     * beginning- and end-of-sequence token texts; empty if the model has none (use {@link #plain} or a
     * template of your own then). Errors name the model file.
     *
     * @throws ChatTemplateException if the model's template cannot be used
     */
    public static Optional<ChatTemplate> fromModel(GgufMetadata metadata, ChatTemplateLimits limits) {
        Optional<String> source = metadata.getStringOpt(METADATA_KEY);
        if (source.isEmpty()) {
            return Optional.empty();
        }
        String[] tokens = metadata.has(TokenizerLoader.TOKENS) ? metadata.getStringArray(TokenizerLoader.TOKENS)
                : new String[0];
        return Optional.of(compile(metadata.file() + " " + METADATA_KEY, source.get(),
                tokenText(metadata, TokenizerLoader.BOS_ID, tokens), tokenText(metadata, TokenizerLoader.EOS_ID, tokens),
                limits));
    }

    /** The documented fallback format {@link #PLAIN_SOURCE}, for models without a chat template. */
    public static ChatTemplate plain(ChatTemplateLimits limits) {
        return compile("plain", PLAIN_SOURCE, "", "", limits);
    }

    /** This template with {@code strftime_now()} reading {@code newClock} (the default is the system clock, UTC). */
    public ChatTemplate withClock(Clock newClock) {
        return new ChatTemplate(name, source, template, bosToken, eosToken, limits, newClock);
    }

    /**
     * Renders {@code messages} with no tools and no extra variables. Never throws for anything the template
     * does: a template error, a sandbox violation or a limit gives a {@link RenderResult.Failed}.
     *
     * @param addGenerationPrompt whether to end with the prompt that starts the assistant's reply
     */
    public RenderResult render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (messages == null || messages.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("Cannot render chat template " + name + ": messages must be a list "
                    + "of non-null messages");
        }
        return render(ChatRequest.of(messages, addGenerationPrompt));
    }

    /**
     * Renders {@code request} as transformers' {@code apply_chat_template} does, on this thread. Never throws
     * for anything the template does: a template error, a sandbox violation or a limit gives a
     * {@link RenderResult.Failed}.
     */
    public RenderResult render(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        if (messages.size() > limits.maxListSize()) {
            return failed(ChatTemplateError.Reason.LIST_LIMIT, "the conversation has " + messages.size()
                    + " messages, above the limit of " + limits.maxListSize());
        }
        List<Object> values = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            values.add(m.asTemplateValue());
        }
        Map<String, Object> variables = new HashMap<>(request.kwargs());
        variables.put("messages", Collections.unmodifiableList(values));
        variables.put("tools", request.tools());
        variables.put("documents", null);
        variables.put("add_generation_prompt", request.addGenerationPrompt());
        variables.put("bos_token", bosToken);
        variables.put("eos_token", eosToken);
        String text;
        try {
            text = template.render(variables, ZonedDateTime.now(clock), limits);
        } catch (TemplateError e) {
            return new RenderResult.Failed(error(name, e));
        }
        return request.continueFinalMessage() ? continueFinal(text, messages) : new RenderResult.Rendered(text);
    }

    /** transformers' continue_final_message: the prompt ends right after the last message's text. */
    private RenderResult continueFinal(String text, List<ChatMessage> messages) {
        String last = messages.isEmpty() ? null : messages.getLast().content();
        String stripped = last == null ? null : last.strip();
        int at = stripped == null ? -1 : text.lastIndexOf(stripped);
        if (at < 0) {
            return failed(ChatTemplateError.Reason.ERROR, "continue_final_message is set but the final message does "
                    + "not appear in the prompt the template rendered");
        }
        String leftStripped = last.stripLeading();
        boolean spacingKept = text.startsWith(leftStripped, at);
        return new RenderResult.Rendered(text.substring(0, at + (spacingKept ? leftStripped : stripped).length()));
    }

    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    public ChatTemplateLimits limits() {
        return limits;
    }

    private static ChatTemplateError error(String name, TemplateError e) {
        return new ChatTemplateError(name, e.reason(), e.line() > 0 ? OptionalInt.of(e.line()) : OptionalInt.empty(),
                e.detail());
    }

    private RenderResult failed(ChatTemplateError.Reason reason, String detail) {
        return new RenderResult.Failed(new ChatTemplateError(name, reason, OptionalInt.empty(), detail));
    }

    private static String tokenText(GgufMetadata metadata, String idKey, String[] tokens) {
        if (!metadata.has(idKey)) {
            return "";
        }
        long id = metadata.getLong(idKey);
        return id >= 0 && id < tokens.length ? tokens[(int) id] : "";
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + name + ", " + source.length() + " chars]";
    }
}
