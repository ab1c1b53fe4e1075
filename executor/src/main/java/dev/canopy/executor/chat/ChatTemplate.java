package dev.canopy.executor.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
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
 * {@code tokenizer.chat_template}), run in a sandbox: it turns a conversation into the prompt text the
 * model was trained on.
 *
 * <p>Templates see the variables Hugging Face gives them: {@code messages} (a list of mappings with
 * {@code role} and {@code content}), {@code add_generation_prompt}, {@code bos_token} and
 * {@code eos_token}; and the functions {@code raise_exception(message)}, {@code strftime_now(format)},
 * {@code range()} and {@code namespace()}.
 *
 * <p>A template from a model file is untrusted code. It cannot reach Java objects, files, the network
 * or reflection (see {@link Sandbox} and {@link SandboxElResolver}), and every render is bounded by
 * {@link ChatTemplateLimits}: output and string sizes, list sizes, steps, macro depth, bytes allocated
 * and time. A render that breaks a rule or a bound ends with a {@link RenderResult.Failed} saying which;
 * it never hangs the caller (see {@link RenderRunner} for how a runaway render is stopped).
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
    /** {@link #source} with Jinja's whitespace rules applied: what jinjava parses, and its line map. */
    private final JinjaWhitespace.Prepared prepared;
    private final String bosToken;
    private final String eosToken;
    private final ChatTemplateLimits limits;
    private final Clock clock;
    private final Jinjava jinjava;

    private ChatTemplate(String name, String source, String bosToken, String eosToken, ChatTemplateLimits limits,
                         Clock clock) {
        this.name = name;
        this.source = source;
        this.prepared = JinjaWhitespace.prepare(source);
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.limits = limits;
        this.clock = clock;
        this.jinjava = Sandbox.engine(limits);
    }

    /**
     * Parses {@code source} and checks it can be used.
     *
     * @param name how errors name the template, e.g. the model file it came from
     * @param bosToken the text of the beginning-of-sequence token ({@code bos_token}), or ""
     * @param eosToken the text of the end-of-sequence token ({@code eos_token}), or ""
     * @throws ChatTemplateException if the template is too long or too deeply nested, does not parse, or names
     *     jinjava internals
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
        ChatTemplate template = new ChatTemplate(name, source, bosToken, eosToken, limits, Clock.systemUTC());
        template.parse().ifPresent(error -> {
            throw new ChatTemplateException(error);
        });
        return template;
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
        return new ChatTemplate(name, source, bosToken, eosToken, limits, newClock);
    }

    /**
     * Renders {@code messages}. Never throws for anything the template does: a template error, a
     * sandbox violation or a limit gives a {@link RenderResult.Failed}.
     *
     * @param addGenerationPrompt whether to end with the prompt that starts the assistant's reply
     */
    public RenderResult render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (messages == null || messages.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("Cannot render chat template " + name + ": messages must be a list "
                    + "of non-null messages");
        }
        if (messages.size() > limits.maxListSize()) {
            return failed(ChatTemplateError.Reason.LIST_LIMIT, "the conversation has " + messages.size()
                    + " messages, above the limit of " + limits.maxListSize());
        }
        List<Object> values = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            values.add(m.asTemplateValue());
        }
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("messages", Collections.unmodifiableList(values));
        bindings.put("add_generation_prompt", addGenerationPrompt);
        bindings.put("bos_token", bosToken);
        bindings.put("eos_token", eosToken);
        RenderBudget budget = new RenderBudget(limits, ZonedDateTime.now(clock), System.nanoTime());
        return RenderRunner.run(budget, b -> renderOnWorker(bindings, b),
                stop -> new RenderResult.Failed(error(stop)));
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

    private RenderResult renderOnWorker(Map<String, Object> bindings, RenderBudget budget) {
        com.hubspot.jinjava.interpret.RenderResult r = jinjava.renderForResult(prepared.source(), bindings);
        Optional<RenderBudget.Stop> stop = budget.stopped();
        if (stop.isPresent()) {
            // jinjava swallowed the throw (it catches what functions throw) and finished the render.
            return new RenderResult.Failed(error(stop.get()));
        }
        Optional<ChatTemplateError> error = JinjavaErrors.firstFailure(name, r.getErrors(), prepared.lines());
        if (error.isPresent()) {
            return new RenderResult.Failed(error.get());
        }
        String text = r.getOutput();
        if (text.length() > limits.maxOutputChars()) {
            return failed(ChatTemplateError.Reason.OUTPUT_LIMIT, "the prompt has " + text.length()
                    + " characters, above the limit of " + limits.maxOutputChars());
        }
        return new RenderResult.Rendered(text);
    }

    /** Parses the source on a render worker (deep nesting can overflow the parser's stack); the first error, if any. */
    private Optional<ChatTemplateError> parse() {
        RenderBudget budget = new RenderBudget(limits, ZonedDateTime.now(clock), System.nanoTime());
        return RenderRunner.run(budget, b -> {
            JinjavaInterpreter interpreter = jinjava.newInterpreter();
            JinjavaInterpreter.pushCurrent(interpreter);
            try {
                interpreter.parse(prepared.source());
                return JinjavaErrors.firstFailure(name, interpreter.getErrorsCopy(), prepared.lines());
            } finally {
                JinjavaInterpreter.popCurrent();
            }
        }, stop -> Optional.of(error(stop)));
    }

    private ChatTemplateError error(RenderBudget.Stop stop) {
        return new ChatTemplateError(name, stop.reason(), prepared.lines().original(stop.line(), stop.position()),
                stop.detail());
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
