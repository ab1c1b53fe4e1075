package dev.canopy.executor.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Whitespace as Jinja renders it with trim_blocks and lstrip_blocks (Hugging Face's settings). */
class JinjaWhitespaceTest {

    private static String render(String source) {
        return ChatTemplates.render(source, List.of()).textOrThrow();
    }

    @Test
    void blanksBeforeABlockTagAreStrippedOnlyAtTheStartOfALine() {
        assertThat(render("a: {% if true %}b: {% endif %}c")).isEqualTo("a: b: c");
        assertThat(render("x\n  {% if true %}\n  y\n  {% endif %}\nz")).isEqualTo("x\n  y\nz");
        assertThat(render("x\n\t {# note #}\ny")).isEqualTo("x\ny");
        assertThat(render("x\n  {%+ if true %}y{% endif %}")).isEqualTo("x\n  y");
    }

    @Test
    void theFirstNewlineAfterABlockTagOrCommentIsRemovedButNotAfterAnExpression() {
        assertThat(render("{% if true %}\n\ny{% endif %}\n")).isEqualTo("\ny");
        assertThat(render("{# c #}\nx")).isEqualTo("x");
        assertThat(render("{{ 'a' }}\nb")).isEqualTo("a\nb");
        assertThat(render("{% if true %}\r\ny{% endif %}")).isEqualTo("y");
    }

    @Test
    void explicitWhitespaceControlStillWorks() {
        assertThat(render("a  {%- if true -%}  b  {%- endif -%}  c")).isEqualTo("abc");
        assertThat(render("a\n  {{- 'b' -}}\n  c")).isEqualTo("abc");
        assertThat(render("a\n{#- note -#}\n b")).isEqualTo("ab");
    }

    @Test
    void rawBlocksAreLeftAlone() {
        assertThat(render("{% raw %}\n  {% x %} {{ y }}\n{% endraw %}")).isEqualTo("  {% x %} {{ y }}\n");
    }

    @Test
    void errorsNameTheLineAsWrittenDespiteRemovedNewlines() {
        String source = "{% if true %}\n{% if true %}\n{% if true %}\n{{ raise_exception('here') }}\n{% endif %}\n"
                + "{% endif %}\n{% endif %}";
        RenderResult r = ChatTemplates.render(source, List.of());
        assertThat(r).isInstanceOfSatisfying(RenderResult.Failed.class,
                f -> assertThat(f.error().line()).hasValue(4));
        RenderResult nested = ChatTemplates.render("{% for i in [1] %}\n\n{{ 1 // 0 }}\n{% endfor %}", List.of());
        assertThat(nested).isInstanceOfSatisfying(RenderResult.Failed.class,
                f -> assertThat(f.error().line()).hasValue(3));
    }
}
