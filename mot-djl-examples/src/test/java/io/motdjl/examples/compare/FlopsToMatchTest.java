package io.motdjl.examples.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FlopsToMatchTest {

    private static LossCurve curve(String name, double[] flops, double[] text, double[] image) {
        LossCurve c = new LossCurve(name);
        for (int i = 0; i < flops.length; i++) {
            // one second per 100 FLOPs: the time axis is the FLOPs axis scaled
            c.add(i + 1, flops[i], flops[i] / 100, new double[] {text[i], image[i]});
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
        assertEquals(0.75, FlopsToMatch.timeFraction(dense, mot, 1).getAsDouble(), 1e-12);
    }

    @Test
    void aCurveThatTurnsUpIsComparedAtDensesBest() {
        double[] flops = {100, 200, 300, 400};
        // dense over-fits: best 2.0 at 200 FLOPs, final 3.0
        LossCurve dense =
                curve("dense", flops, new double[] {3, 2.0, 2.5, 3.0}, new double[] {4, 3, 2, 1});
        LossCurve mot =
                curve("mot", flops, new double[] {2.5, 2.2, 1.9, 2.6}, new double[] {4, 3, 2, 1.5});
        assertEquals(1, FlopsToMatch.bestIndex(dense, 0));
        // the final 3.0 is "reached" at the first evaluation: 25 %
        assertEquals(0.25, FlopsToMatch.fraction(dense, mot, 0).getAsDouble(), 1e-12);
        // dense's best 2.0: crossed between 200 (2.2) and 300 (1.9), over dense's 200 FLOPs
        assertEquals(
                (200 + 100 * 0.2 / 0.3) / 200,
                FlopsToMatch.bestFraction(dense, mot, 0).getAsDouble(),
                1e-12);
        // a monotone curve's best is its final: both agree (image: never reached)
        assertEquals(3, FlopsToMatch.bestIndex(dense, 1));
        assertTrue(FlopsToMatch.bestFraction(dense, mot, 1).isEmpty());
        assertTrue(FlopsToMatch.fraction(dense, mot, 1).isEmpty());
        LossCurve nan =
                curve("nan", new double[] {100}, new double[] {Double.NaN}, new double[] {1});
        assertEquals(-1, FlopsToMatch.bestIndex(nan, 0));
        assertTrue(FlopsToMatch.bestFraction(nan, mot, 0).isEmpty());
    }

    @Test
    void timeFractionReadsEachModelsOwnClock() {
        LossCurve dense = new LossCurve("dense");
        dense.add(1, 100, 10, new double[] {3});
        dense.add(2, 200, 20, new double[] {2});
        // same FLOPs, but this model's steps take twice as long
        LossCurve slow = new LossCurve("slow");
        slow.add(1, 100, 20, new double[] {2.5});
        slow.add(2, 200, 40, new double[] {1.5});
        // crosses 2.0 half-way: 150 FLOPs (75 % of dense's 200), 30 s (150 % of dense's 20 s)
        assertEquals(0.75, FlopsToMatch.fraction(dense, slow, 0).getAsDouble(), 1e-12);
        assertEquals(1.5, FlopsToMatch.timeFraction(dense, slow, 0).getAsDouble(), 1e-12);
        // a baseline without a recorded time gives no time fraction
        LossCurve untimed = new LossCurve("untimed");
        untimed.add(1, 200, 0, new double[] {2});
        assertTrue(FlopsToMatch.timeFraction(untimed, slow, 0).isEmpty());
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
        c.add(5, 1, 1, new double[] {1});
        assertThrows(IllegalArgumentException.class, () -> c.add(5, 2, 2, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> c.add(6, 0.5, 2, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> c.add(6, 2, 0.5, new double[] {1}));
    }
}
