package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.motdjl.routing.GroupedRows;
import io.motdjl.routing.ModalityRouting;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Untying at the module level: one ordinary block per parameter set ("tower"), each modality mapped
 * to one tower. Untied, every modality has a tower of its own (the reference's {@code
 * local_experts} lists); tied, one block serves every modality (the dense baseline). A modality's
 * rows only ever pass through its own tower's block.
 *
 * <p>Inside a {@link MoTModel} the container is applied to rows grouped by modality ({@link
 * #apply(ParameterStore, GroupedRows, boolean)}), chunk by chunk, with no gather. Standalone, its
 * forward takes {@code [rows (N, ...), modalityIds (N)]}, groups the rows itself and returns them
 * in their original order.
 *
 * @param <T> the kind of block a tower holds
 */
public final class PerModality<T extends Block> extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int[] towerOfModality;
    private final List<T> towers = new ArrayList<>();

    private PerModality(int[] towerOfModality, IntFunction<T> factory) {
        super(VERSION);
        int numTowers = checkMapping(towerOfModality);
        this.towerOfModality = towerOfModality.clone();
        for (int t = 0; t < numTowers; t++) {
            T block = factory.apply(t);
            if (block == null) {
                throw new IllegalArgumentException(
                        "the block factory returned null for tower " + t);
            }
            // DJL prefixes child names with their position: "01tower0" reads better than "010"
            towers.add(addChildBlock("tower" + t, block));
        }
    }

    /**
     * One tower per modality.
     *
     * @param numModalities M
     * @param factory makes tower {@code t}'s block (called once per tower, in order)
     * @param <T> the block type
     * @return the container
     */
    public static <T extends Block> PerModality<T> untied(
            int numModalities, IntFunction<T> factory) {
        int[] identity = new int[numModalities];
        Arrays.setAll(identity, m -> m);
        return new PerModality<>(identity, factory);
    }

    /** One block shared by all {@code numModalities} modalities. */
    public static <T extends Block> PerModality<T> shared(
            int numModalities, IntFunction<T> factory) {
        return new PerModality<>(new int[numModalities], factory);
    }

    /** Untied or shared, as a component's untie flag says. */
    public static <T extends Block> PerModality<T> of(
            int numModalities, boolean untied, IntFunction<T> factory) {
        return untied ? untied(numModalities, factory) : shared(numModalities, factory);
    }

    /**
     * A general mapping of modalities to towers.
     *
     * @param towerOfModality tower index of each modality; every index in {@code [0, K)} must be
     *     used by at least one modality
     * @param factory makes tower {@code t}'s block
     * @param <T> the block type
     * @return the container
     */
    public static <T extends Block> PerModality<T> mapped(
            int[] towerOfModality, IntFunction<T> factory) {
        return new PerModality<>(towerOfModality, factory);
    }

    private static int checkMapping(int[] towerOfModality) {
        if (towerOfModality.length == 0) {
            throw new IllegalArgumentException(
                    "a per-modality container needs at least one modality");
        }
        int numTowers = 0;
        for (int t : towerOfModality) {
            if (t < 0) {
                throw new IllegalArgumentException(
                        "tower indices must be non-negative, got "
                                + Arrays.toString(towerOfModality));
            }
            numTowers = Math.max(numTowers, t + 1);
        }
        boolean[] used = new boolean[numTowers];
        for (int t : towerOfModality) {
            used[t] = true;
        }
        for (int t = 0; t < numTowers; t++) {
            if (!used[t]) {
                throw new IllegalArgumentException(
                        "tower "
                                + t
                                + " serves no modality in "
                                + Arrays.toString(towerOfModality));
            }
        }
        return numTowers;
    }

    /** Number of modalities M. */
    public int numModalities() {
        return towerOfModality.length;
    }

    /** Number of parameter sets (towers). */
    public int numTowers() {
        return towers.size();
    }

    /** Whether one block serves every modality. */
    public boolean isShared() {
        return towers.size() == 1;
    }

    /** The tower index that modality {@code m} uses. */
    public int towerOf(int m) {
        return towerOfModality[m];
    }

    /** Tower {@code t}'s block. */
    public T tower(int t) {
        return towers.get(t);
    }

    /** The block modality {@code m}'s rows go through. */
    public T forModality(int m) {
        return towers.get(towerOfModality[m]);
    }

    /** The towers' blocks in order. */
    public List<T> towers() {
        return Collections.unmodifiableList(towers);
    }

    /**
     * Runs modality {@code m}'s block on rows that all belong to {@code m}.
     *
     * @return the block's whole output: the rows first, then anything else it returns
     */
    public NDList forward(ParameterStore ps, NDArray rows, int m, boolean training) {
        return forward(ps, rows, m, training, null);
    }

    /**
     * Runs modality {@code m}'s block on rows that all belong to {@code m}, with forward params (a
     * {@link ForwardContext}'s, inside a model).
     *
     * @return the block's whole output: the rows first, then anything else it returns
     */
    public NDList forward(
            ParameterStore ps,
            NDArray rows,
            int m,
            boolean training,
            PairList<String, Object> params) {
        return forModality(m).forward(ps, new NDList(rows), training, params);
    }

    /** Runs each modality's block on its own chunk; each block's first output is kept. */
    public GroupedRows apply(ParameterStore ps, GroupedRows rows, boolean training) {
        return apply(ps, rows, training, null);
    }

    /**
     * Runs each modality's block on its own chunk, with forward params; each block's first output
     * is kept.
     */
    public GroupedRows apply(
            ParameterStore ps,
            GroupedRows rows,
            boolean training,
            PairList<String, Object> params) {
        return rows.map((r, m) -> forward(ps, r, m, training, params).head());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (isShared()) {
            return towers.get(0).forward(ps, new NDList(inputs.get(0)), training, params);
        }
        if (inputs.size() != 2) {
            throw new IllegalArgumentException(
                    "an untied PerModality block needs [rows (N, ...), modality ids (N)], got "
                            + inputs.size()
                            + " array(s)");
        }
        NDArray rows = inputs.get(0);
        NDArray ids = inputs.get(1);
        if (ids.getShape().dimension() != 1 || ids.getShape().get(0) != rows.getShape().get(0)) {
            throw new IllegalArgumentException(
                    "modality ids must have shape ("
                            + rows.getShape().get(0)
                            + "), one per row, got "
                            + ids.getShape());
        }
        // the routing's index arrays live in the ids' manager: backward needs them after this call
        ModalityRouting routing = ModalityRouting.of(ids, numModalities());
        return new NDList(
                apply(ps, GroupedRows.fromOriginal(routing, rows), training, params).toOriginal());
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (T tower : towers) {
            tower.initialize(manager, dataType, inputShapes[0]);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return towers.get(0).getOutputShapes(new Shape[] {inputShapes[0]});
    }

    @Override
    public String toString() {
        return "PerModality(towers="
                + Arrays.toString(towerOfModality)
                + ", "
                + towers.get(0)
                + ")";
    }
}
