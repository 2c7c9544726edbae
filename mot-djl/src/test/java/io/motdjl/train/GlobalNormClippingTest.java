package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.TrainingDivergedException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.Test;

import java.util.List;

class GlobalNormClippingTest {

    @Test
    void theNormRunsOverAllGradientsTogether() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3, 4});
            NDArray b = manager.create(new float[][] {{12}});
            assertEquals(13.0, GlobalNormClipping.norm(List.of(a, b)), 1e-9);
            assertEquals(2, manager.getManagedArrays().size(), "no temporaries are left");
        }
    }

    @Test
    void gradientsAboveTheLimitAreScaledTogetherKeepingTheirDirection() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3, 4});
            NDArray b = manager.create(new float[][] {{12}});
            double before = GlobalNormClipping.clip(List.of(a, b), 6.5);
            assertEquals(13.0, before, 1e-9);
            float scale = (float) (6.5 / (13.0 + GlobalNormClipping.EPSILON));
            // one common factor: elementwise clipping to 6.5 would leave [3, 4] and cut 12 alone
            assertArrayEquals(new float[] {3 * scale, 4 * scale}, a.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {12 * scale}, b.toFloatArray(), 1e-6f);
            assertEquals(6.5, GlobalNormClipping.norm(List.of(a, b)), 1e-5);
            assertEquals(true, GlobalNormClipping.clips(13.0, 6.5));
        }
    }

    @Test
    void gradientsWithinTheLimitAreUntouched() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3, 4});
            assertEquals(5.0, GlobalNormClipping.clip(List.of(a), 5.5), 1e-9);
            assertArrayEquals(new float[] {3, 4}, a.toFloatArray(), 0f);
            assertEquals(false, GlobalNormClipping.clips(5.0, 5.5));
        }
    }

    @Test
    void aNonFiniteNormStopsTraining() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3, Float.NaN});
            assertThrows(
                    TrainingDivergedException.class,
                    () -> GlobalNormClipping.clip(List.of(a), 1.0));
            assertThrows(
                    IllegalArgumentException.class, () -> GlobalNormClipping.clip(List.of(a), 0.0));
        }
    }
}
