package io.motdjl.nn;

import java.util.Arrays;

/**
 * Which rows each expert of a {@link MixtureOfExperts} computes, planned on the host from the
 * routing decision: the rows are gathered once in expert order ("slots", expert 0's rows first),
 * each expert runs one matmul on its contiguous block, and each row sums the gated outputs of the
 * slots that hold it. Padding rows are never given a slot.
 */
final class ExpertDispatch {

    /** Source row of each slot, experts in order. */
    final long[] rowOfSlot;

    /** Slots per expert. */
    final long[] slotsPerExpert;

    /**
     * The index into the routing's flat gate array of each slot, or null when the gates are already
     * in slot order.
     */
    final long[] gateOfSlot;

    /**
     * {@code (rows, width)} row-major: the slots each row sums, padded with {@link #emptySlot()}
     * (an all-zero row appended after the last slot).
     */
    final long[] combine;

    /** Slots a row may receive: {@code top_k} under token choice, {@code E} under expert choice. */
    final int width;

    /** Rows that no expert took (padding rows not counted). */
    final long droppedRows;

    private ExpertDispatch(
            long[] rowOfSlot,
            long[] slotsPerExpert,
            long[] gateOfSlot,
            long[] combine,
            int width,
            long droppedRows) {
        this.rowOfSlot = rowOfSlot;
        this.slotsPerExpert = slotsPerExpert;
        this.gateOfSlot = gateOfSlot;
        this.combine = combine;
        this.width = width;
        this.droppedRows = droppedRows;
    }

    /**
     * Token choice: row {@code r} chose the experts {@code chosen[r·k .. r·k+k-1]}.
     *
     * @param chosen the chosen expert of each (row, choice), row-major {@code (n, k)}
     * @param k choices per row
     * @param experts E
     * @param valid whether each row is a real token (null: all are)
     * @return the plan; its slots follow the experts, and within an expert the rows' order
     */
    static ExpertDispatch tokenChoice(long[] chosen, int k, int experts, boolean[] valid) {
        int n = chosen.length / k;
        long[] perExpert = new long[experts];
        for (int a = 0; a < chosen.length; a++) {
            if (valid == null || valid[a / k]) {
                perExpert[(int) chosen[a]]++;
            }
        }
        long[] start = new long[experts];
        long total = 0;
        for (int e = 0; e < experts; e++) {
            start[e] = total;
            total += perExpert[e];
        }
        long[] rowOfSlot = new long[(int) total];
        long[] gateOfSlot = new long[(int) total];
        long[] combine = new long[n * k];
        Arrays.fill(combine, total);
        long[] next = start.clone();
        for (int a = 0; a < chosen.length; a++) {
            int r = a / k;
            if (valid != null && !valid[r]) {
                continue;
            }
            int slot = (int) next[(int) chosen[a]]++;
            rowOfSlot[slot] = r;
            gateOfSlot[slot] = a;
            combine[a] = slot;
        }
        return new ExpertDispatch(rowOfSlot, perExpert, gateOfSlot, combine, k, 0);
    }

    /**
     * Expert choice: expert {@code e} took rows {@code taken[e·capacity .. e·capacity+capacity-1]}
     * (its gates in the same order).
     *
     * @param taken the rows each expert took, row-major {@code (E, capacity)}
     * @param experts E
     * @param capacity rows per expert
     * @param rows n, every row of the pass (padding included)
     * @param validRows the number of real (non-padding) rows among them
     * @return the plan; slots are in the gates' order
     */
    static ExpertDispatch expertChoice(
            long[] taken, int experts, long capacity, int rows, long validRows) {
        long[] perExpert = new long[experts];
        Arrays.fill(perExpert, capacity);
        long[] combine = new long[rows * experts];
        Arrays.fill(combine, taken.length);
        boolean[] covered = new boolean[rows];
        long coveredRows = 0;
        for (int slot = 0; slot < taken.length; slot++) {
            int r = (int) taken[slot];
            int e = (int) (slot / capacity);
            // an expert takes a row at most once, so (row, expert) is free
            combine[r * experts + e] = slot;
            if (!covered[r]) {
                covered[r] = true;
                coveredRows++;
            }
        }
        return new ExpertDispatch(
                taken.clone(), perExpert, null, combine, experts, validRows - coveredRows);
    }

    /** Total slots (rows computed over all experts). */
    long slots() {
        return rowOfSlot.length;
    }

    /** The index of the zero row that pads {@link #combine}. */
    long emptySlot() {
        return rowOfSlot.length;
    }
}
