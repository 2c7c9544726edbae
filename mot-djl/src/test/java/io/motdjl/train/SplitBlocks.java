package io.motdjl.train;

/** Test access to the run's split of a batch into several blocks on one device. */
public final class SplitBlocks {

    private SplitBlocks() {}

    /**
     * Cuts each device's rows into {@code blocks} blocks, run one after another and weighed as one
     * batch: on one CPU this goes through the code a run on several devices uses.
     */
    public static RunOptions.Builder inBlocks(RunOptions.Builder options, int blocks) {
        return options.blocksPerDevice(blocks);
    }
}
