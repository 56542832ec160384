package io.relais.broker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PersistentMapTest {

    /** A key whose hash collides on purpose (only 4 distinct hash codes). */
    record Key(int id) {
        @Override
        public int hashCode() {
            return id % 4 == 0 ? 0 : id % 4 << 27;
        }
    }

    @Test
    void shouldAgreeWithHashMapWhenOperationsAreRandom() {
        Random rnd = new Random(1L);
        for (boolean colliding : new boolean[] {false, true}) {
            PersistentMap<Object, Integer> map = PersistentMap.empty();
            Map<Object, Integer> model = new HashMap<>();
            for (int i = 0; i < 20_000; i++) {
                int id = rnd.nextInt(500);
                Object k = colliding ? new Key(id) : (Object) Integer.valueOf(id * 7919);
                if (rnd.nextInt(3) == 0) {
                    map = map.remove(k);
                    model.remove(k);
                } else {
                    map = map.put(k, i);
                    model.put(k, i);
                }
                if (i % 97 == 0) {
                    assertThat(map.size()).isEqualTo(model.size());
                    for (int j = 0; j < 500; j++) {
                        Object key = colliding ? new Key(j) : (Object) Integer.valueOf(j * 7919);
                        assertThat(map.get(key)).isEqualTo(model.get(key));
                    }
                }
            }
        }
    }

    @Test
    void shouldReturnSameMapWhenRemovingAbsentKey() {
        PersistentMap<String, String> m = PersistentMap.<String, String>empty().put("a", "1");

        assertThat(m.remove("b")).isSameAs(m);
        assertThat(m.remove("a").size()).isZero();
        assertThat(m.get("a")).isEqualTo("1");
    }
}
