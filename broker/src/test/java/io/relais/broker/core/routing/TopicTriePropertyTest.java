package io.relais.broker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Checks {@link TopicTrie} against an obviously correct recursive matcher on random data. */
class TopicTriePropertyTest {
    private static final String[] KEY_WORDS = {"a", "b", "c", ""};
    private static final String[] PATTERN_WORDS = {"a", "b", "c", "", "*", "#", "*", "#"};

    /** Splits on '.', keeping empty words ("" is one empty word). No regex. */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int dot = s.indexOf('.', start);
            if (dot < 0) {
                out.add(s.substring(start));
                return out;
            }
            out.add(s.substring(start, dot));
            start = dot + 1;
        }
    }

    /** The reference: does pattern[i..] match key[j..]? Exponential, which is fine for tiny inputs. */
    static boolean naiveMatches(List<String> pattern, int i, List<String> key, int j) {
        if (i == pattern.size()) {
            return j == key.size();
        }
        String w = pattern.get(i);
        if (w.equals("#")) {
            for (int k = j; k <= key.size(); k++) {
                if (naiveMatches(pattern, i + 1, key, k)) {
                    return true;
                }
            }
            return false;
        }
        if (j == key.size()) {
            return false;
        }
        return (w.equals("*") || w.equals(key.get(j))) && naiveMatches(pattern, i + 1, key, j + 1);
    }

    static boolean naiveMatches(String pattern, String key) {
        return naiveMatches(words(pattern), 0, words(key), 0);
    }

    private static String randomString(Random rnd, String[] alphabet, int maxWords) {
        int n = 1 + rnd.nextInt(maxWords); // a key always has at least one word
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('.');
            }
            // empty words are rarer than the others
            String w = alphabet[rnd.nextInt(alphabet.length)];
            if (w.isEmpty() && rnd.nextInt(3) != 0) {
                w = "a";
            }
            sb.append(w);
        }
        return sb.toString();
    }

    /** The model: target -> patterns. */
    private static Set<Integer> expected(Map<Integer, Set<String>> model, String key) {
        Set<Integer> out = new HashSet<>();
        model.forEach((target, patterns) -> {
            for (String p : patterns) {
                if (naiveMatches(p, key)) {
                    out.add(target);
                    break;
                }
            }
        });
        return out;
    }

    private static void check(TopicTrie<Integer> trie, Map<Integer, Set<String>> model, List<String> keys) {
        int bindings = model.values().stream().mapToInt(Set::size).sum();
        assertThat(trie.size()).isEqualTo(bindings);
        for (String key : keys) {
            List<Integer> got = new ArrayList<>();
            trie.match(key, got::add);
            assertThat(new HashSet<>(got)).as("distinct targets for key '%s'", key)
                    .isEqualTo(expected(model, key));
            assertThat(got).as("each target once for key '%s'", key).doesNotHaveDuplicates();
        }
        model.forEach((target, patterns) -> {
            for (String p : patterns) {
                assertThat(trie.contains(p, target)).isTrue();
            }
        });
    }

    private static Map<Integer, Set<String>> copy(Map<Integer, Set<String>> model) {
        Map<Integer, Set<String>> out = new HashMap<>();
        model.forEach((t, ps) -> out.put(t, new LinkedHashSet<>(ps)));
        return out;
    }

    @Test
    void shouldAgreeWithNaiveMatcherWhenBindingsAreRandom() {
        Random rnd = new Random(20240601L);
        for (int round = 0; round < 40; round++) {
            int targets = 1 + rnd.nextInt(round < 20 ? 8 : 60);
            int bindingCount = rnd.nextInt(round < 20 ? 30 : 300);
            TopicTrie<Integer> trie = TopicTrie.empty();
            Map<Integer, Set<String>> model = new HashMap<>();
            List<String> patterns = new ArrayList<>();
            for (int i = 0; i < bindingCount; i++) {
                String p = randomString(rnd, PATTERN_WORDS, 6);
                Integer t = rnd.nextInt(targets);
                patterns.add(p);
                trie = trie.with(p, t);
                model.computeIfAbsent(t, x -> new LinkedHashSet<>()).add(p);
            }
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                keys.add(randomString(rnd, KEY_WORDS, 7));
            }
            keys.add("");
            check(trie, model, keys);

            TopicTrie<Integer> snapshot = trie;
            Map<Integer, Set<String>> snapshotModel = copy(model);

            // random removals, re-additions and target removals, checking after each step
            for (int step = 0; step < 30; step++) {
                int op = rnd.nextInt(10);
                Integer t = rnd.nextInt(targets + 1);
                if (op < 5 && !patterns.isEmpty()) {
                    String p = patterns.get(rnd.nextInt(patterns.size()));
                    TopicTrie<Integer> next = trie.without(p, t);
                    Set<String> ps = model.get(t);
                    if (ps == null || !ps.remove(p)) {
                        assertThat(next).isSameAs(trie);
                    } else if (ps.isEmpty()) {
                        model.remove(t);
                    }
                    trie = next;
                } else if (op < 7) {
                    TopicTrie<Integer> next = trie.withoutTarget(t);
                    if (model.remove(t) == null) {
                        assertThat(next).isSameAs(trie);
                    }
                    trie = next;
                } else {
                    String p = randomString(rnd, PATTERN_WORDS, 6);
                    patterns.add(p);
                    trie = trie.with(p, t);
                    model.computeIfAbsent(t, x -> new LinkedHashSet<>()).add(p);
                }
                check(trie, model, keys.subList(0, 40));
            }
            check(trie, model, keys);
            check(snapshot, snapshotModel, keys); // older versions are untouched
        }
    }

    @Test
    void shouldAgreeWithNaiveMatcherWhenEachTargetHasOnePattern() {
        Random rnd = new Random(7L);
        for (int round = 0; round < 20; round++) {
            TopicTrie<Integer> trie = TopicTrie.empty();
            Map<Integer, Set<String>> model = new HashMap<>();
            int n = rnd.nextInt(200);
            for (int t = 0; t < n; t++) {
                String p = randomString(rnd, PATTERN_WORDS, 6);
                trie = trie.with(p, t);
                model.put(t, new LinkedHashSet<>(List.of(p)));
            }
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                keys.add(randomString(rnd, KEY_WORDS, 7));
            }
            check(trie, model, keys);
        }
    }

    @Test
    void shouldAgreeWithNaiveMatcherWhenPatternsAreHashHeavy() {
        Random rnd = new Random(99L);
        String[] hashy = {"a", "b", "#", "#", "#", "*"};
        TopicTrie<Integer> trie = TopicTrie.empty();
        Map<Integer, Set<String>> model = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            String p = randomString(rnd, hashy, 8);
            Integer t = rnd.nextInt(20);
            trie = trie.with(p, t);
            model.computeIfAbsent(t, x -> new LinkedHashSet<>()).add(p);
        }
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            keys.add(randomString(rnd, new String[] {"a", "b"}, 10));
        }
        check(trie, model, keys);
    }
}
