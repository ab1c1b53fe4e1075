package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link GrammarNode.ReadsAnyText}: the start of "any property name but the listed ones" is marked as reading
 * any plain text, so {@link PlainLoops} answers yes there at once. The claim is checked against the exploration
 * the mark skips, and {@link LazyDfa#readsAnyPlainTextAtOnce} against what it must not decide without exploring.
 * (Masks at such keys equal the token-by-token check in {@link PlainLoopShortcutTest}.)
 */
class ReadsAnyTextTest {

    private static LazyDfa dfa(String schema) throws Exception {
        return GrammarCache.compileSchema(new ObjectMapper().readTree(schema), false).dfa();
    }

    private static String openObject(List<String> names) {
        StringBuilder sb = new StringBuilder("{\"type\":\"object\",\"properties\":{");
        for (int i = 0; i < names.size(); i++) {
            sb.append(i > 0 ? "," : "").append(new ObjectMapper().valueToTree(names.get(i)).toString()).append(":{\"type\":\"integer\"}");
        }
        return sb.append("},\"additionalProperties\":{\"type\":\"string\"}}").toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a|ab|abc|b|ba|c d", "name|nickname|id", "|x", "x|y|z|xy|yz|zx|xyz", "!|~| |#a|a#", "docker_image|docker_tag"})
    void everyMarkedStartReadsAnyPlainTextByExploration(String joined) throws Exception {
        List<String> names = Arrays.asList(joined.split("\\|", -1));
        Nfa nfa = dfa(openObject(names)).nfa();
        assertThat(nfa.anyTextStates).isNotEmpty();
        PlainLoops exploring = PlainLoops.exploringMarks(nfa, s -> epsilonClosure(nfa, s));
        for (int u : nfa.anyTextStates) {
            int[] start = Subsumption.byteReadingClosure(nfa, s -> epsilonClosure(nfa, s), u);
            assertThat(start).as("closure of mark %d", u).isNotNull().isNotEmpty();
            assertThat(exploring.readsAnyPlainText(start)).as("names %s", names).isTrue();
            int[] without = Arrays.copyOf(start, start.length - 1); // a set missing part of the start proves nothing at once
            assertThat(new PlainLoops(nfa, s -> epsilonClosure(nfa, s)).readsAnyPlainTextAtOnce(without)).isFalse();
        }
    }

    @Test
    void keysBesideOtherNamesAndFreeStringsAreKnownAtOnceAndBoundedStringsAreNot() throws Exception {
        LazyDfa open = dfa(openObject(List.of("name", "nickname", "id")));
        int key = SubsumptionTest.walk(open, "{\"");
        int before = open.stateCount();
        assertThat(open.readsAnyPlainTextAtOnce(key)).isTrue();
        assertThat(open.stateCount()).as("no plain successor built").isEqualTo(before);
        assertThat(open.readsAnyPlainText(key)).isTrue();
        LazyDfa closed = dfa("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"additionalProperties\":false}");
        assertThat(closed.readsAnyPlainTextAtOnce(SubsumptionTest.walk(closed, "{\""))).isFalse();
        LazyDfa free = dfa("{\"type\":\"string\"}");
        assertThat(free.readsAnyPlainTextAtOnce(SubsumptionTest.walk(free, "\"xa"))).isTrue();
        LazyDfa searching = dfa("{\"type\":\"string\",\"pattern\":\"\\\\d{4}-\\\\d{2}\"}");
        assertThat(searching.readsAnyPlainTextAtOnce(SubsumptionTest.walk(searching, "\"202"))).isTrue();
        LazyDfa bounded = dfa("{\"type\":\"string\",\"maxLength\":300}");
        int inside = SubsumptionTest.walk(bounded, "\"xa");
        assertThat(bounded.readsAnyPlainTextAtOnce(inside)).isFalse();
        assertThat(bounded.readsAnyPlainText(inside)).isFalse();
        assertThat(bounded.readsAnyPlainTextAtOnce(inside)).as("after exploring").isFalse();
        LazyDfa openKeyTail = dfa(openObject(List.of("name")));
        int named = SubsumptionTest.walk(openKeyTail, "{\"na");
        assertThat(openKeyTail.readsAnyPlainTextAtOnce(named)).as("inside the names' trie: explored, not marked").isFalse();
        assertThat(openKeyTail.readsAnyPlainText(named)).isTrue();
        assertThat(openKeyTail.readsAnyPlainTextAtOnce(named)).as("known once explored").isTrue();
    }

    /** The states reachable from {@code s} by epsilon edges that read a byte, call or end a rule ({@code s} first), as LazyDfa's. */
    private static int[] epsilonClosure(Nfa nfa, int s) {
        List<Integer> out = new ArrayList<>(List.of(s));
        boolean[] seen = new boolean[nfa.stateCount()];
        seen[s] = true;
        List<Integer> todo = new ArrayList<>(List.of(s));
        while (!todo.isEmpty()) {
            int x = todo.remove(todo.size() - 1);
            for (int t : nfa.epsEdges[x]) {
                if (!seen[t]) {
                    seen[t] = true;
                    todo.add(t);
                    if (nfa.byteEdges[t].length > 0 || nfa.callEdges[t].length > 0 || nfa.ruleEnd[t]) {
                        out.add(t);
                    }
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
