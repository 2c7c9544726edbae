package io.motdjl.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

class StatsTest {

    @Test
    void quantileIsTheNearestRank() {
        List<Double> values = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            values.add((double) i);
        }
        Collections.shuffle(values, new java.util.Random(3));
        assertEquals(99.0, Stats.quantile(values, 0.99));
        assertEquals(50.0, Stats.quantile(values, 0.5));
        assertEquals(1.0, Stats.quantile(values, 0.001));
        assertEquals(100.0, Stats.quantile(values, 1.0));
        assertEquals(7.0, Stats.quantile(List.of(7.0), 0.99));
        assertTrue(Double.isNaN(Stats.quantile(List.of(), 0.5)));
        assertThrows(IllegalArgumentException.class, () -> Stats.quantile(values, 0));
        assertThrows(IllegalArgumentException.class, () -> Stats.quantile(values, 1.5));
    }
}
