package io.motdjl.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

/** The projections of a MoT layer: DJL's own {@link Linear}, without a bias. */
final class Projections {

    private Projections() {}

    /**
     * A bias-free projection {@code [units, in]}. The weight's shape is set now rather than at
     * initialisation, so checkpoints can be checked against it before anything is allocated.
     */
    static Linear biasFree(long in, long units) {
        Linear linear = Linear.builder().setUnits(units).optBias(false).build();
        linear.getParameters().get("weight").setShape(new Shape(units, in));
        return linear;
    }
}
