package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The image rows a patch adapter embeds: read from the two extra inputs ({@value
 * PatchAdapter#PATCHES}, {@value PatchAdapter#TIMESTEPS}), checked, and picked out in the order
 * wanted. The one place both patch adapters ({@link PatchAdapter}, {@link ConvPatchAdapter}) check
 * their inputs, so that they refuse the same things with the same words.
 *
 * @param values {@code (n, P)} patch values, in the inputs' floating type
 * @param timesteps {@code (n)} int64 timesteps, each in {@code [0, T)}
 */
record PatchRows(NDArray values, NDArray timesteps) {

    /**
     * The rows of a batch.
     *
     * @param inputs the whole batch, with both extra inputs
     * @param rows int64 flat indices into the {@code B·T} rows, or {@code null} for all rows in
     *     sequence order
     * @param patchSize P, values per patch row
     * @param timesteps T of the schedule
     * @return the selected rows
     * @throws IllegalArgumentException for a missing extra input, a wrong shape or type, a
     *     non-finite patch value or a timestep outside {@code [0, T)} in a selected row
     */
    static PatchRows select(MoTInputs inputs, NDArray rows, long patchSize, int timesteps) {
        Shape tokens = inputs.tokens().getShape();
        NDArray patches = required(inputs, PatchAdapter.PATCHES);
        NDArray steps = required(inputs, PatchAdapter.TIMESTEPS);
        Shape expected = tokens.add(patchSize);
        if (!patches.getShape().equals(expected)) {
            throw new IllegalArgumentException(
                    PatchAdapter.PATCHES
                            + " must have shape "
                            + expected
                            + ", got "
                            + patches.getShape());
        }
        if (!patches.getDataType().isFloating()) {
            throw new IllegalArgumentException(
                    PatchAdapter.PATCHES + " must be floating point, got " + patches.getDataType());
        }
        if (!steps.getShape().equals(tokens) || !steps.getDataType().isInteger()) {
            throw new IllegalArgumentException(
                    PatchAdapter.TIMESTEPS
                            + " must be an integer array of shape "
                            + tokens
                            + ", got "
                            + steps.getDataType()
                            + " "
                            + steps.getShape());
        }
        NDArray x = patches.reshape(-1, patchSize);
        NDArray t = steps.toType(DataType.INT64, false).reshape(-1);
        if (rows != null) {
            x = x.get(new NDIndex("{}", rows));
            t = t.get(new NDIndex("{}", rows));
        }
        check(x, t, timesteps);
        return new PatchRows(x, t);
    }

    /** Number of rows. */
    long count() {
        return values.getShape().get(0);
    }

    /** Refuses non-finite patch values and timesteps outside the schedule, naming the value. */
    private static void check(NDArray x, NDArray t, int timesteps) {
        if (x.getShape().get(0) == 0) {
            return;
        }
        if (x.isInfinite().logicalOr(x.isNaN()).any().getBoolean()) {
            throw new IllegalArgumentException(
                    PatchAdapter.PATCHES
                            + " holds a non-finite value (NaN or infinity) in an image row");
        }
        long min = t.min().getLong();
        long max = t.max().getLong();
        if (min < 0 || max >= timesteps) {
            throw new IllegalArgumentException(
                    PatchAdapter.TIMESTEPS
                            + " holds "
                            + (min < 0 ? min : max)
                            + " in an image row, outside the schedule's [0, "
                            + timesteps
                            + ")");
        }
    }

    private static NDArray required(MoTInputs inputs, String name) {
        NDArray array = inputs.extra(name);
        if (array == null) {
            throw new IllegalArgumentException(
                    "image rows of the Transfusion setting need the input '"
                            + name
                            + "' (MoTInputs.withExtra); the inputs have none");
        }
        return array;
    }
}
