package io.relais.broker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicTrieTest {

    private static TopicTrie<String> trie(String... patternTargetPairs) {
        TopicTrie<String> t = TopicTrie.empty();
        for (int i = 0; i < patternTargetPairs.length; i += 2) {
            t = t.with(patternTargetPairs[i], patternTargetPairs[i + 1]);
        }
        return t;
    }

    @Test
    void shouldRouteLikeTheAmqpTutorialWhenBoundWithOrangeRabbitAndLazy() {
        TopicTrie<String> t = trie("*.orange.*", "Q1", "*.*.rabbit", "Q2", "lazy.#", "Q2");

        assertThat(t.match("quick.orange.rabbit")).containsExactlyInAnyOrder("Q1", "Q2");
        assertThat(t.match("lazy.orange.elephant")).containsExactlyInAnyOrder("Q1", "Q2");
        assertThat(t.match("quick.orange.fox")).containsExactly("Q1");
        assertThat(t.match("lazy.brown.fox")).containsExactly("Q2");
        assertThat(t.match("lazy.pink.rabbit")).containsExactly("Q2"); // two patterns, once
        assertThat(t.match("quick.brown.fox")).isEmpty();
        assertThat(t.match("orange")).isEmpty();
        assertThat(t.match("quick.orange.male.rabbit")).isEmpty();
        assertThat(t.match("lazy.orange.male.rabbit")).containsExactly("Q2");
    }

    @Test
    void shouldMatchExactlyOneWordWhenPatternHasStar() {
        TopicTrie<String> t = trie("a.*.c", "Q");

        assertThat(t.match("a.b.c")).containsExactly("Q");
        assertThat(t.match("a.x.c")).containsExactly("Q");
        assertThat(t.match("a..c")).containsExactly("Q");
        assertThat(t.match("a.b.d")).isEmpty();
        assertThat(t.match("a.b.c.d")).isEmpty();
        assertThat(t.match("a.c")).isEmpty();
    }

    @Test
    void shouldMatchZeroOrMoreWordsWhenPatternEndsWithHash() {
        TopicTrie<String> t = trie("a.#", "Q");

        assertThat(t.match("a.b.c.d")).containsExactly("Q");
        assertThat(t.match("a")).containsExactly("Q");
        assertThat(t.match("a.")).containsExactly("Q");
        assertThat(t.match("b.a")).isEmpty();
        assertThat(t.match("")).isEmpty();
    }

    @Test
    void shouldMatchEverythingWhenPatternIsHashAlone() {
        TopicTrie<String> t = trie("#", "Q");

        assertThat(t.match("")).containsExactly("Q");
        assertThat(t.match("a")).containsExactly("Q");
        assertThat(t.match("a.b.c")).containsExactly("Q");
        assertThat(t.match("..")).containsExactly("Q");
        assertThat(trie("#.#", "Q").match("")).containsExactly("Q");
        assertThat(trie("#.#", "Q").match("a.b.c")).containsExactly("Q");
    }

    @Test
    void shouldTreatEmptyKeyAsOneEmptyWordWhenMatching() {
        assertThat(trie("", "Q").match("")).containsExactly("Q");
        assertThat(trie("", "Q").match("a")).isEmpty();
        assertThat(trie("*", "Q").match("")).containsExactly("Q");
        assertThat(trie("*.*", "Q").match("")).isEmpty();
        assertThat(trie("#.*", "Q").match("")).containsExactly("Q");
        assertThat(trie("a", "Q").match("")).isEmpty();
    }

    @Test
    void shouldMatchEmptyWordsLiterallyWhenKeyHasConsecutiveDots() {
        TopicTrie<String> t = trie("a..b", "EMPTY_MIDDLE", "a.*.b", "STAR", "a.b", "PLAIN", "a.", "TRAILING");

        assertThat(t.match("a..b")).containsExactlyInAnyOrder("EMPTY_MIDDLE", "STAR");
        assertThat(t.match("a.b")).containsExactly("PLAIN");
        assertThat(t.match("a.")).containsExactly("TRAILING");
        assertThat(t.match("a.x.b")).containsExactly("STAR");
        assertThat(trie(".", "Q").match(".")).containsExactly("Q");
        assertThat(trie(".", "Q").match("")).isEmpty();
    }

    @Test
    void shouldMatchLeadingAndInnerHashWhenPatternHasSeveralHashes() {
        TopicTrie<String> t = trie("#.b", "END_B", "a.#.#.b", "A_B", "#.a.#", "HAS_A", "a.#.b.#.c", "ABC");

        assertThat(t.match("b")).containsExactly("END_B");
        assertThat(t.match("x.y.b")).containsExactly("END_B");
        assertThat(t.match("a.b")).containsExactlyInAnyOrder("END_B", "A_B", "HAS_A");
        assertThat(t.match("a.x.y.b")).containsExactlyInAnyOrder("END_B", "A_B", "HAS_A");
        assertThat(t.match("a.b.c")).containsExactlyInAnyOrder("HAS_A", "ABC");
        assertThat(t.match("a.a.b.b.c.c")).containsExactlyInAnyOrder("HAS_A", "ABC");
        assertThat(t.match("x.a.y")).containsExactly("HAS_A");
        assertThat(t.match("b.a")).containsExactly("HAS_A");
        assertThat(t.match("c")).isEmpty();
    }

    @Test
    void shouldDeliverOnceWhenOneTargetHasManyMatchingPatterns() {
        TopicTrie<String> t = trie("#", "Q", "a.#", "Q", "#.a.#", "Q", "*.*", "Q", "a.a", "Q", "#.#", "Q",
                "a.a", "R");

        List<String> got = new ArrayList<>();
        t.match("a.a", got::add);

        assertThat(got).containsExactlyInAnyOrder("Q", "R");
        assertThat(t.size()).isEqualTo(7);
    }

    @Test
    void shouldCompleteWhenPatternHasManyHashesAndKeyIsLong() {
        TopicTrie<String> t = trie("#.#.#.#.#.#.#.#.a", "Q", "#.#.#.#.#.#.#.#.#.#.#.#.b", "R",
                "#.x.#.x.#.x.#.x.#.x.#.x.#.x.#", "S");
        String longKey = String.join(".", Collections.nCopies(120, "x")); // 239 chars

        assertThat(t.match(longKey)).containsExactly("S");
        assertThat(t.match(longKey + ".a")).containsExactlyInAnyOrder("Q", "S");
        assertThat(t.match(longKey + ".b")).containsExactlyInAnyOrder("R", "S");
    }

    @Test
    void shouldKeepOldVersionUnchangedWhenDerivingNewOnes() {
        TopicTrie<String> v1 = trie("a.*", "Q");
        TopicTrie<String> v2 = v1.with("a.#", "R").without("a.*", "Q");

        assertThat(v1.match("a.b")).containsExactly("Q");
        assertThat(v1.size()).isEqualTo(1);
        assertThat(v2.match("a.b")).containsExactly("R");
        assertThat(v2.contains("a.*", "Q")).isFalse();
        assertThat(v2.contains("a.#", "R")).isTrue();
    }

    @Test
    void shouldReturnSameInstanceWhenBindingIsAbsentOrAlreadyPresent() {
        TopicTrie<String> t = trie("a.*", "Q");

        assertThat(t.without("a.#", "Q")).isSameAs(t);
        assertThat(t.without("a.*", "R")).isSameAs(t);
        assertThat(t.withoutTarget("R")).isSameAs(t);
        assertThat(t.with("a.*", "Q")).isSameAs(t);
        assertThat(t.without("not valid*", "Q")).isSameAs(t);
    }

    @Test
    void shouldRemoveAllBindingsWhenTargetIsRemoved() {
        TopicTrie<String> t = trie("a.*", "Q", "#", "Q", "b", "Q", "b", "R").withoutTarget("Q");

        assertThat(t.size()).isEqualTo(1);
        assertThat(t.match("a.b")).isEmpty();
        assertThat(t.match("b")).containsExactly("R");
        assertThat(t.withoutTarget("R").size()).isZero();
        assertThat(t.withoutTarget("R").match("b")).isEmpty();
    }

    @Test
    void shouldCompareTargetsByEqualsWhenInstancesDiffer() {
        TopicTrie<String> t = TopicTrie.<String>empty().with("a", new String("Q")).with("#", new String("Q"));

        assertThat(t.match("a")).containsExactly("Q");
        assertThat(t.contains("a", new String("Q"))).isTrue();
        assertThat(t.without("a", new String("Q")).without("#", new String("Q")).size()).isZero();
    }

    @Test
    void shouldRejectInvalidPatternWhenBinding() {
        assertThatThrownBy(() -> TopicTrie.<String>empty().with("a*.b", "Q"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad pattern 'a*.b': '*' and '#' must be whole words");
        assertThatThrownBy(() -> TopicTrie.<String>empty().with("a", null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void shouldNotMatchWildcardBindingsLiterallyWhenKeyContainsWildcardCharacters() {
        // match() does not validate; a literal '*' word in a key is just an unknown word.
        TopicTrie<String> t = trie("a.b", "Q");

        assertThat(t.match("a.*")).isEmpty();
        assertThat(trie("a.*", "Q").match("a.*")).containsExactly("Q"); // '*' matches any one word
    }

    @Test
    void shouldFindChildrenWhenNodeHasManyWords() {
        TopicTrie<String> t = TopicTrie.empty();
        for (int i = 0; i < 1000; i++) {
            t = t.with("w" + i + ".x", "Q" + i);
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(t.match("w" + i + ".x")).containsExactly("Q" + i);
        }
        assertThat(t.match("w1000.x")).isEmpty();
        for (int i = 0; i < 1000; i += 2) {
            t = t.without("w" + i + ".x", "Q" + i);
        }
        assertThat(t.size()).isEqualTo(500);
        assertThat(t.match("w2.x")).isEmpty();
        assertThat(t.match("w3.x")).containsExactly("Q3");
    }
}
