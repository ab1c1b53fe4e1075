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
 * Templates written to hang, exhaust memory, reach Java or read files: each is refused or stopped at
 * its bound, on the rendering thread, with an error that names the bound. Bounds are counted (steps,
 * characters, elements, bytes), so these tests assert on the error, never on wall-clock time.
 */
class HostileTemplateTest {

    private static final List<ChatMessage> CHAT = conversation("user", "hi");

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
                ChatTemplateLimits.DEFAULT, Reason.DEPTH_LIMIT, "macro calls nested deeper than 64 levels");
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

    // ---- gigabyte strings and lists: refused before they are built, from the operands' sizes

    @Test
    void stringRepetitionIsRefusedBeforeItRuns() {
        assertStopped("{{ 'x' * 10**9 }}", ChatTemplateLimits.DEFAULT, Reason.STRING_LIMIT,
                "'*' would build a string of 1000000000 characters, above the limit of 4194304");
    }

    @Test
    void doublingAStringHitsTheStringLimit() {
        assertStopped("{% set ns = namespace(s='xx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                + "{% endfor %}{{ ns.s|length }}", ChatTemplateLimits.DEFAULT, Reason.STRING_LIMIT,
                "'~' would build a string of 8388608 characters, above the limit of 4194304");
    }

    @Test
    void filtersThatGrowTheirInputAreCheckedBeforeTheyRun() {
        assertStopped("{{ 'x'|center(1000000000) }}", ChatTemplateLimits.DEFAULT, Reason.STRING_LIMIT,
                "center would build a string of 1000000000 characters, above the limit of 4194304");
        String million = "{% set ns = namespace(s='xxxxxxxxxx') %}{% for i in range(17) %}{% set ns.s = ns.s ~ ns.s %}"
                + "{% endfor %}";
        assertStopped(million + "{{ ns.s|replace('x', 'xxxxxxxxxx') }}", ChatTemplateLimits.DEFAULT,
                Reason.STRING_LIMIT, "replace would build a string of 13107200 characters");
        assertStopped(million + "{{ ns.s.replace('x', 'xxxxxxxxxx') }}", ChatTemplateLimits.DEFAULT,
                Reason.STRING_LIMIT, "replace would build a string of 13107200 characters");
        assertStopped("{{ 'a\\nb\\nc'|indent(10**9) }}", ChatTemplateLimits.DEFAULT, Reason.STRING_LIMIT,
                "filter indent would build a string of 4000000005 characters");
        assertStopped("{{ ['x']|batch(10**9, 'y') }}", ChatTemplateLimits.DEFAULT, Reason.LIST_LIMIT,
                "filter batch would build a collection of 1000000001 elements");
        assertStopped("{{ '%0999999999d' % 1 }}", ChatTemplateLimits.DEFAULT, Reason.STRING_LIMIT,
                "'%' formatting would build a string of 1000000000 characters");
        assertStopped("{{ 'x'.zfill(10**9) }}", ChatTemplateLimits.DEFAULT, Reason.STRING_LIMIT,
                "zfill would build a string of 1000000000 characters");
        assertStopped("{{ 10 ** (10 ** 9) }}", ChatTemplateLimits.DEFAULT, Reason.STRING_LIMIT, "'**' would build");
    }

    @Test
    void doublingAListHitsTheListLimit() {
        assertStopped("{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}"
                + "{% endfor %}", ChatTemplateLimits.DEFAULT, Reason.LIST_LIMIT,
                "'+' would build a collection of 131072 elements, above the limit of 100000");
    }

    @Test
    void manyStringsEachWithinTheLimitHitTheMemoryLimit() {
        assertStopped("{{ range(100000)|map('center', 4000000)|list|length }}",
                ChatTemplateLimits.DEFAULT.withMaxRenderBytes(64L << 20), Reason.MEMORY_LIMIT,
                "above the limit of 67108864");
    }

    @Test
    void aListOfOneHugeStringDoubledAndJoinedIsRefused() {
        // Issue 20, item 3: doubling a list that holds one 4M-character string, then using it as text.
        String source = "{% set ns = namespace(l=['x' * 4000000]) %}{% for i in range(8) %}{% set ns.l = ns.l + ns.l %}"
                + "{% endfor %}{{ ns.l|join }}";
        assertStopped(source, ChatTemplateLimits.DEFAULT, Reason.STRING_LIMIT,
                "join would build a string of 1024000000 characters, above the limit of 4194304");
    }

    @Test
    void aPromptLongerThanTheOutputLimitFails() {
        assertStopped("{% for i in range(1000) %}{{ messages[0].content }}{% endfor %}",
                ChatTemplateLimits.DEFAULT.withMaxChars(1000, 1000), Reason.OUTPUT_LIMIT, "over limit of 1000");
    }

    // ---- issue 20, items 1 and 2: operations whose cost grows faster than their operands

    @Test
    void aLongNeedleInALongHaystackIsSearchedInLinearTime() {
        // Java's String.indexOf would compare 2M x 2M characters here; a warm-up first lets the JIT compile it.
        String source = "{% for i in range(2000) %}{{ 'ab' in 'xxab' }}{% endfor %}"
                + "{% set hay = 'a' * 4000000 %}{% set needle = 'a' * 2000000 ~ 'b' %}"
                + "[{{ needle in hay }}|{{ hay.find(needle) }}|{{ hay.count(needle) }}|{{ hay.split(needle)|length }}]";
        // A wall-clock bound far above the work, so that a loaded machine cannot make this test flaky.
        String text = render(source, ChatTemplateLimits.DEFAULT.withTimeout(Duration.ofMinutes(2))).textOrThrow();
        assertThat(text).endsWith("[False|-1|0|1]");
    }

    @Test
    void replaceOnHugeStringsIsChargedItsWorkAndStops() {
        String source = "{% set hay = 'a' * 4000000 %}{% for i in range(1000) %}{% set x = hay.replace('b', 'c') %}"
                + "{% endfor %}";
        assertStopped(source, ChatTemplateLimits.DEFAULT.withTimeout(Duration.ofMinutes(2)), Reason.STEP_LIMIT,
                "the render took more than 1000000 steps");
    }

    @Test
    void roundWithAnEnormousPrecisionReturnsTheNumber() {
        assertThat(render("{{ 2.5|round(10**9) }}|{{ 2.5|round(-10**9) }}|{{ 1.23456|round(3) }}",
                ChatTemplateLimits.DEFAULT).textOrThrow()).isEqualTo("2.5|0.0|1.235");
    }

    // ---- Java access: nothing but the given values is reachable

    @ParameterizedTest
    @ValueSource(strings = {"{{ ''.getClass() }}", "{{ messages.getClass().forName('java.lang.Runtime') }}",
        "{{ messages[0].getClass() }}", "{{ (1).getClass() }}", "{{ range(3).getClass() }}",
        "{{ namespace().getClass() }}", "{{ 'abc'.getBytes() }}", "{{ 'x'.hashCode() }}",
        "{% for m in messages %}{{ loop.doBreak() }}{% endfor %}", "{{ messages.toArray() }}",
        "{{ messages[0].class.name }}", "{{ ''.class.forName('java.lang.Runtime') }}"})
    void javaMethodsAndPropertiesDoNotExist(String source) {
        RenderResult r = render(source, ChatTemplateLimits.DEFAULT);
        assertThat(r).isInstanceOfSatisfying(RenderResult.Failed.class, f -> {
            assertThat(f.error().reason()).isEqualTo(Reason.ERROR);
            assertThat(f.error().detail()).contains("has no attribute '");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{ ''.class }}", "{{ messages.class }}", "{{ ''.bytes }}", "{{ messages.size }}",
        "{% for m in messages %}{{ loop.class }}{% endfor %}", "{{ messages[0].content.value }}"})
    void javaPropertiesAreUndefined(String source) {
        assertThat(render(source, ChatTemplateLimits.DEFAULT).textOrThrow()).isEmpty();
    }

    @Test
    void valuesCannotBeChanged() {
        assertStopped("{{ 'a,b'.split(',').clear() }}", ChatTemplateLimits.DEFAULT, Reason.FORBIDDEN,
                "access to attribute 'clear' of 'list' object is unsafe");
        assertStopped("{{ messages[0].update({'role': 'system'}) }}", ChatTemplateLimits.DEFAULT, Reason.FORBIDDEN,
                "access to attribute 'update' of 'dict' object is unsafe");
    }

    @Test
    void onlyTemplateValuesCanBeSerialized() {
        assertStopped("{% for m in messages %}{{ [loop]|tojson }}{% endfor %}", ChatTemplateLimits.DEFAULT,
                Reason.ERROR, "Object of type LoopContext is not JSON serializable");
        assertStopped("{% macro m() %}{% endmacro %}{{ [m]|tojson }}", ChatTemplateLimits.DEFAULT, Reason.ERROR,
                "is not JSON serializable");
        assertStopped("{{ [namespace(a=1)]|tojson }}", ChatTemplateLimits.DEFAULT, Reason.ERROR,
                "Object of type Namespace is not JSON serializable");
    }

    // ---- files and other templates

    @ParameterizedTest
    @ValueSource(strings = {"{% include '/etc/passwd' %}", "{% include 'logback.xml' %}",
        "{% import '/etc/passwd' as x %}", "{% from '/etc/passwd' import x %}", "{% extends '/etc/passwd' %}"})
    void includesImportsAndExtendsAreRefused(String source) {
        String tag = source.substring(3, source.indexOf(' ', 3));
        assertThatThrownBy(() -> ChatTemplate.compile("hostile", source, "", "", ChatTemplateLimits.DEFAULT))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.error().reason()).isEqualTo(Reason.FORBIDDEN);
                    assertThat(e).hasMessage("Cannot render chat template hostile (line 1): '" + tag + "' is disabled: "
                            + "a chat template cannot read other templates or files");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{ 'a: 1'|fromyaml }}", "{{ '{{ 1 }}'|render }}", "{{ 'x'|md5 }}",
        "{{ '127.0.0.1'|ipaddr }}", "{{ [1, 2]|shuffle }}"})
    void filtersJinja2DoesNotKnowFailAtCompile(String source) {
        assertThatThrownBy(() -> ChatTemplate.compile("hostile", source, "", "", ChatTemplateLimits.DEFAULT))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.error().reason()).isEqualTo(Reason.SYNTAX);
                    assertThat(e.error().detail()).startsWith("no filter named '");
                });
    }

    @Test
    void jinja2HelpersCanopyLeavesOutFailTheRender() {
        assertStopped("{{ 'x'|urlize }}", ChatTemplateLimits.DEFAULT, Reason.FORBIDDEN,
                "filter 'urlize' is not available in Canopy's template renderer");
        assertStopped("{{ today() }}", ChatTemplateLimits.DEFAULT, Reason.ERROR, "'today' is undefined");
    }

    // ---- hostile nesting

    @Test
    void deeplyNestedBracketsAreRefusedBeforeParsing() {
        String source = "{{ " + "(".repeat(3000) + "1" + ")".repeat(3000) + " }}";
        assertThatThrownBy(() -> ChatTemplate.compile("hostile", source, "", "", ChatTemplateLimits.DEFAULT))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.error().reason()).isEqualTo(Reason.DEPTH_LIMIT);
                    assertThat(e.error().detail()).isEqualTo("brackets nested deeper than 64 levels in an expression");
                });
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

    /** Renders {@code source} and checks it failed for {@code reason}, with {@code detail} in the message and a line. */
    private static void assertStopped(String source, ChatTemplateLimits limits, Reason reason, String detail) {
        RenderResult r = render(source, limits);
        assertThat(r).isInstanceOfSatisfying(RenderResult.Failed.class, f -> {
            assertThat(f.error().reason()).as(f.error().message()).isEqualTo(reason);
            assertThat(f.error().detail()).contains(detail);
        });
    }
}
