package dev.canopy.pipeline.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class ChatTemplateTest {

    /** ChatML as Qwen2 ships it in tokenizer.chat_template. */
    static final String CHATML = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** Llama 2 chat's template: system folded into the first user turn, strict alternation. */
    static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
            + "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
            + "{% endif %}{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}"
            + "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            + "{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    @Test
    void rendersChatMlWithTheGenerationPrompt() {
        ChatTemplate template = new ChatTemplate(CHATML, "<s>", "</s>");

        String prompt = template.render(List.of(new ChatMessage("user", "Hi there")));

        assertThat(prompt).isEqualTo("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void rendersLlama2WithSystemPromptAndSpecialTokens() {
        ChatTemplate template = new ChatTemplate(LLAMA2, "<s>", "</s>");

        String prompt = template.render(List.of(new ChatMessage("system", "Be brief."),
                new ChatMessage("user", " Tell a story. "), new ChatMessage("assistant", "Once."),
                new ChatMessage("user", "More")));

        assertThat(prompt).isEqualTo("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\n Tell a story. [/INST] Once. </s>"
                + "<s>[INST] More [/INST]");
    }

    @Test
    void aTemplatesRaisedExceptionBecomesTheError() {
        ChatTemplate template = new ChatTemplate(LLAMA2, "<s>", "</s>");

        assertThatThrownBy(() -> template.render(List.of(new ChatMessage("assistant", "first"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot render messages with the model's chat template: "
                        + "Conversation roles must alternate user/assistant/user/assistant/...");
    }

    @Test
    void noMessagesIsAnError() {
        assertThatThrownBy(() -> new ChatTemplate(CHATML, "<s>", "</s>").render(List.of()))
                .hasMessage("Cannot render messages: there are none");
    }
}
