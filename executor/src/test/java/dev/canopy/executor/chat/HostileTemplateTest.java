package dev.canopy.executor.chat;

import static dev.canopy.executor.chat.ChatTemplates.conversation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.chat.ChatTemplateError.Reason;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Templates written to hang, exhaust memory, reach Java or read files: each is refused or stopped
 * within its bound, quickly, with an error that names the bound.
 */
class HostileTemplateTest {

    private static final List<ChatMessage> CHAT = conversation("user", "hi");
    /** Generous wall-clock bound for a refused or stopped render on a loaded 2-core machine. */
    private static final long QUICK_MILLIS = 3000;

    // ---- endless loops and recursion

    @Test
    void nestedHugeRangesHitTheStepLimit() {
        assertStopped("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                ChatTemplateLimits.DEFAULT, Reason.STEP_LIMIT, "the render took more than 1000000 steps");
    }

    @Test
    void aRangeOfABillionIsRefusedNotCutShort() {
        assertStopped("{% for i in range(10**9) %}x{% endfor %}", ChatTemplateLimits.DEFAULT, Reason.LIST_LIMIT,
                "range(0, 1000000000, 1) would have 1000000000 elements, above the limit of 100000");
    }

    @Test
    void endlessMacroRecursionHitsTheDepthLimit() {
        assertStopped("{% macro f(n) %}{{ f(n + 1) }}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
                ChatTemplateLimits.DEFAULT, Reason.DEPTH_LIMIT, "Max recursion limit of 64 reached for macro 'f'");
    }

    @Test
    void boundedButExponentialMacroRecursionHitsTheStepLimit() {
        String tenWayTree = "{% macro f(n) %}{% for i in range(10) %}{% if n < 20 %}{{ f(n + 1) }}{% endif %}"
                + "{% endfor %}{% endmacro %}{{ f(0) }}";
        assertStopped(tenWayTree, ChatTemplateLimits.DEFAULT.withMaxRenderSteps(10_000), Reason.STEP_LIMIT,
                "the render took more than 10000 steps");
    }

    @Test
    void aRenderThatOutrunsItsTimeoutIsStoppedOnItsOwnThread() {
        String tenWayTree = "{% macro f(n) %}{% for i in range(10) %}{% if n < 20 %}{{ f(n + 1) }}{% endif %}"
                + "{% endfor %}{% endmacro %}{{ f(0) }}";
        ChatTemplateLimits limits = ChatTemplateLimits.DEFAULT.withMaxRenderSteps(Long.MAX_VALUE)
                .withTimeout(Duration.ofMillis(300));
        int threadsBefore = Thread.activeCount();
        RenderResult r = ChatTemplate.compile("hostile", tenWayTree, "", "", limits).render(CHAT, true);
        assertThat(r).isInstanceOfSatisfying(RenderResult.Failed.class, f -> {
            assertThat(f.error().reason()).isEqualTo(Reason.TIMEOUT);
            assertThat(f.error().detail()).isEqualTo("the render ran longer than the timeout of 300 ms");
            assertThat(f.error().line()).as("where it stopped").hasValue(1);
        });
        assertThat(Thread.activeCount()).as("a render starts no thread that could outlive it")
                .isLessThanOrEqualTo(threadsBefore);
    }

    // ---- gigabyte strings and lists

    @Test
    void stringRepetitionIsNotAvailable() {
        assertStopped("{{ 'x' * 10**9 }}", ChatTemplateLimits.DEFAULT, Reason.SYNTAX, "Cannot coerce 'x'");
    }

    @Test
    void doublingAStringHitsTheStringLimit() {
        assertStopped("{% set ns = namespace(s='xx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                + "{% endfor %}{{ ns.s|length }}", ChatTemplateLimits.DEFAULT, Reason.STRING_LIMIT,
                "over limit of 4194304");
    }

    @Test
    void filtersThatGrowTheirInputAreCheckedBeforeTheyRun() {
        assertStopped("{{ 'x'|center(1000000000) }}", ChatTemplateLimits.DEFAULT, Reason.STRING_LIMIT,
                "filter center would build a string of 1000000000 characters, above the limit of 4194304");
        String million = "{% set ns = namespace(s='xxxxxxxxxx') %}{% for i in range(17) %}{% set ns.s = ns.s ~ ns.s %}"
                + "{% endfor %}";
        assertStopped(million + "{{ ns.s|replace('x', 'xxxxxxxxxx') }}", ChatTemplateLimits.DEFAULT,
                Reason.STRING_LIMIT, "replace would build a string of 13107200 characters");
        assertStopped(million + "{{ ns.s.replace('x', 'xxxxxxxxxx') }}", ChatTemplateLimits.DEFAULT,
                Reason.STRING_LIMIT, "replace would build a string of 13107200 characters");
        assertStopped("{{ 'a\\nb\\nc'|indent(10**9) }}", ChatTemplateLimits.DEFAULT, Reason.STRING_LIMIT,
                "filter indent would build a string of 3000000005 characters");
        assertStopped("{{ ['x']|batch(10**9, 'y') }}", ChatTemplateLimits.DEFAULT, Reason.LIST_LIMIT,
                "filter batch would build a collection of 1000000000 elements");
    }

    @Test
    void doublingAListHitsTheListLimit() {
        assertStopped("{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}"
                + "{% endfor %}", ChatTemplateLimits.DEFAULT, Reason.LIST_LIMIT, "greater than the maximum size of 100000");
    }

    @Test
    void manyStringsEachWithinTheLimitHitTheMemoryLimit() {
        assertStopped("{{ range(100000)|map('center', 4000000)|list|length }}",
                ChatTemplateLimits.DEFAULT.withMaxRenderBytes(64L << 20), Reason.MEMORY_LIMIT,
                "above the limit of 67108864");
    }

    @Test
    void aPromptLongerThanTheOutputLimitFails() {
        assertStopped("{% for i in range(1000) %}{{ messages[0].content }}{% endfor %}",
                ChatTemplateLimits.DEFAULT.withMaxChars(1000, 1000), Reason.OUTPUT_LIMIT, "over limit of 1000");
    }

    // ---- Java access

    @ParameterizedTest
    @ValueSource(strings = {"{{ ''.getClass() }}", "{{ messages.getClass().forName('java.lang.Runtime') }}",
        "{{ messages[0].getClass() }}", "{{ (1).getClass() }}", "{{ range(3).getClass() }}",
        "{{ namespace().getClass() }}", "{{ 'abc'.getBytes() }}", "{{ 'x'.hashCode() }}",
        "{% for m in messages %}{{ loop.doBreak() }}{% endfor %}", "{{ messages.toArray() }}",
        "{{ 'a,b'.split(',').clear() }}"})
    void javaMethodsCannotBeCalled(String source) {
        RenderResult r = render(source, ChatTemplateLimits.DEFAULT);
        assertThat(r).isInstanceOfSatisfying(RenderResult.Failed.class, f -> {
            assertThat(f.error().reason()).isEqualTo(Reason.FORBIDDEN);
            assertThat(f.error().detail()).startsWith("templates cannot call method '");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{ ''.class }}", "{{ messages.class }}", "{{ messages[0].class.name }}",
        "{{ ''.bytes }}", "{{ messages.size }}", "{{ loop.class }}"})
    void javaPropertiesAreUndefined(String source) {
        assertThat(render(source, ChatTemplateLimits.DEFAULT).textOrThrow()).isEmpty();
    }

    @Test
    void onlyTemplateValuesCanBeSerialized() {
        assertStopped("{% for m in messages %}{{ [loop]|tojson }}{% endfor %}", ChatTemplateLimits.DEFAULT,
                Reason.FORBIDDEN, "tojson cannot serialize the loop object");
        assertStopped("{% for m in messages %}{{ loop|string }}{% endfor %}", ChatTemplateLimits.DEFAULT,
                Reason.FORBIDDEN, "filter string cannot take the loop object");
        assertThat(render("{% macro m() %}{% endmacro %}{{ [m]|tojson }}", ChatTemplateLimits.DEFAULT).textOrThrow())
                .as("macros are not values").isEqualTo("[null]");
    }

    // ---- files and other templates

    @ParameterizedTest
    @ValueSource(strings = {"{% include '/etc/passwd' %}", "{% include 'logback.xml' %}",
        "{% import '/etc/passwd' as x %}", "{% from '/etc/passwd' import x %}", "{% extends '/etc/passwd' %}"})
    void includesImportsAndExtendsAreRefused(String source) {
        String tag = source.substring(3, source.indexOf(' ', 3));
        assertStopped(source, ChatTemplateLimits.DEFAULT, Reason.FORBIDDEN, "'" + tag + "' is disabled");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{ 'a: 1'|fromyaml }}", "{{ '{{ 1 }}'|render }}", "{{ 'x'|md5 }}",
        "{{ '127.0.0.1'|ipaddr }}", "{{ [1, 2]|shuffle }}", "{{ today() }}", "{{ 'x'|urlize }}"})
    void helpersOutsideTheAllowListAreRefused(String source) {
        assertThat(render(source, ChatTemplateLimits.DEFAULT)).isInstanceOfSatisfying(RenderResult.Failed.class,
                f -> {
                    assertThat(f.error().reason()).isEqualTo(Reason.FORBIDDEN);
                    assertThat(f.error().detail()).contains("is disabled in this context");
                });
    }

    // ---- hostile nesting

    @Test
    void deeplyNestedBracketsAreRefusedBeforeParsing() {
        String source = "{{ " + "(".repeat(3000) + "1" + ")".repeat(3000) + " }}";
        long start = System.nanoTime();
        assertThatThrownBy(() -> ChatTemplate.compile("hostile", source, "", "", ChatTemplateLimits.DEFAULT))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.error().reason()).isEqualTo(Reason.DEPTH_LIMIT);
                    assertThat(e.error().detail()).isEqualTo("brackets nested deeper than 64 levels in an expression");
                });
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(QUICK_MILLIS);
    }

    @Test
    void deeplyNestedBlockTagsAreRefusedBeforeParsing() {
        String source = "{% if true %}".repeat(65) + "x" + "{% endif %}".repeat(65);
        assertThatThrownBy(() -> ChatTemplate.compile("hostile", source, "", "", ChatTemplateLimits.DEFAULT))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.error().reason()).isEqualTo(Reason.DEPTH_LIMIT);
                    assertThat(e.error().detail()).isEqualTo("block tags nested deeper than 64 levels");
                });
        String sixtyFour = "{% if true %}".repeat(64) + "x" + "{% endif %}".repeat(64);
        assertThat(render(sixtyFour, ChatTemplateLimits.DEFAULT).textOrThrow()).isEqualTo("x");
    }

    @Test
    void anExpressionTooLongToEvaluateOverflowsTheStackAsADepthError() {
        String source = "{{ 1" + " + 1".repeat(200_000) + " }}";
        assertStopped(source, ChatTemplateLimits.DEFAULT, Reason.DEPTH_LIMIT,
                "the template nests expressions or calls too deeply (stack overflow)");
    }

    @Test
    void aTemplateLongerThanTheLimitIsRefused() {
        ChatTemplateLimits limits = new ChatTemplateLimits(100, 1 << 22, 1 << 22, 100_000, 100_000, 1_000_000, 64,
                512L << 20, Duration.ofSeconds(5));
        assertThatThrownBy(() -> ChatTemplate.compile("hostile", "x".repeat(101), "", "", limits))
                .hasMessage("Cannot render chat template hostile: the template has 101 characters, above the limit of 100");
    }

    // ---- helpers

    private static RenderResult render(String source, ChatTemplateLimits limits) {
        return ChatTemplate.compile("hostile", source, "<s>", "</s>", limits).render(CHAT, true);
    }

    /** Renders {@code source} and checks it failed quickly for {@code reason}, with {@code detail} in the message. */
    private static void assertStopped(String source, ChatTemplateLimits limits, Reason reason, String detail) {
        long start = System.nanoTime();
        RenderResult r = render(source, limits);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r).isInstanceOfSatisfying(RenderResult.Failed.class, f -> {
            assertThat(f.error().reason()).as(f.error().message()).isEqualTo(reason);
            assertThat(f.error().detail()).contains(detail);
        });
        assertThat(millis).as("milliseconds to stop").isLessThan(QUICK_MILLIS);
    }
}
