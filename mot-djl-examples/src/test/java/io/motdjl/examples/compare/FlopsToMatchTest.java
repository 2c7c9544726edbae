package io.motdjl.examples.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FlopsToMatchTest {

    private static LossCurve curve(String name, double[] flops, double[] text, double[] image) {
        LossCurve c = new LossCurve(name);
        for (int i = 0; i < flops.length; i++) {
            c.add(i + 1, flops[i], new double[] {text[i], image[i]});
        }
        return c;
    }

    @Test
    void interpolatesTheCrossing() {
        double[] flops = {100, 200, 300, 400};
        LossCurve dense =
                curve("dense", flops, new double[] {4, 3, 2.5, 2.0}, new double[] {5, 4, 3, 2.5});
        LossCurve mot =
                curve(
                        "mot",
                        flops,
                        new double[] {3.5, 2.4, 1.8, 1.6},
                        new double[] {4, 3, 2.5, 2.5});
        // text: crosses 2.0 between 200 (2.4) and 300 (1.8): 200 + (0.4/0.6)*100
        assertEquals(
                (200 + 100 * 0.4 / 0.6) / 400,
                FlopsToMatch.fraction(dense, mot, 0).getAsDouble(),
                1e-12);
        // image: first reaches 2.5 exactly at 300
        assertEquals(0.75, FlopsToMatch.fraction(dense, mot, 1).getAsDouble(), 1e-12);
    }

    @Test
    void notReachedIsEmpty() {
        double[] flops = {100, 200};
        LossCurve dense = curve("dense", flops, new double[] {3, 2}, new double[] {3, 2});
        LossCurve mot =
                curve("mot", flops, new double[] {3, 2.1}, new double[] {Double.NaN, Double.NaN});
        assertTrue(FlopsToMatch.fraction(dense, mot, 0).isEmpty());
        assertTrue(FlopsToMatch.fraction(dense, mot, 1).isEmpty());
    }

    @Test
    void stepsMustIncrease() {
        LossCurve c = new LossCurve("x");
        c.add(5, 1, new double[] {1});
        assertThrows(IllegalArgumentException.class, () -> c.add(5, 2, new double[] {1}));
    }
}
