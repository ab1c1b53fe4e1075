package dev.canopy.pipeline.generate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;

/**
 * A model's chat template ({@code tokenizer.chat_template} in GGUF metadata, Jinja) rendered with Jinjava the
 * way Hugging Face renders it: {@code messages}, {@code add_generation_prompt = true}, {@code bos_token},
 * {@code eos_token}, a {@code raise_exception(message)} function, and blocks trimmed.
 */
public final class ChatTemplate implements ChatRenderer {

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    /**
     * @param template the Jinja source
     * @param bosToken text of the beginning-of-sequence token (e.g. {@code <s>})
     * @param eosToken text of the end-of-sequence token (e.g. {@code </s>})
     */
    public ChatTemplate(String template, String bosToken, String eosToken) {
        this.template = Objects.requireNonNull(template, "template");
        this.bosToken = Objects.requireNonNull(bosToken, "bosToken");
        this.eosToken = Objects.requireNonNull(eosToken, "eosToken");
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
    }

    /** What a template's {@code raise_exception(message)} calls: fails the render with the template's message. */
    public static String raiseException(String message) {
        throw new RaisedByTemplate(message);
    }

    /** The exception {@code raise_exception} throws; Jinjava wraps it, {@link #render} finds it again. */
    private static final class RaisedByTemplate extends RuntimeException {
        RaisedByTemplate(String message) {
            super(message);
        }
    }

    @Override
    public String render(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("Cannot render messages: there are none");
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", messages.stream().map(m -> Map.of("role", m.role(), "content", m.content())).toList());
        context.put("add_generation_prompt", true);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        RenderResult result = jinjava.renderForResult(template, context);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new IllegalArgumentException("Cannot render messages with the model's chat template: "
                        + reason(error));
            }
        }
        return result.getOutput();
    }

    private static String reason(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof RaisedByTemplate raised) {
                return raised.getMessage();
            }
        }
        return error.getMessage() + (error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : "");
    }
}
