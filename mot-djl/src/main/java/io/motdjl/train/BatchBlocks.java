package io.motdjl.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.ArrayList;
import java.util.List;

/**
 * A batch's rows cut into contiguous blocks, one group of blocks per device, each block moved to
 * its device. Block sizes differ by at most one row (B = 5 on 4 devices: 2, 1, 1, 1); DJL's {@code
 * Batch.split} would cut ⌈B/N⌉-row blocks and leave the last device an empty one (2, 2, 1, 0). A
 * batch with fewer rows than devices leaves the last devices without a block.
 */
final class BatchBlocks {

    /** One block: its rows of the data and labels, on {@code device}. */
    record Block(Device device, NDList data, NDList labels, int rows) {}

    private BatchBlocks() {}

    /**
     * Cuts the batch.
     *
     * @param data the batch's inputs, every array {@code (B, ...)}
     * @param labels the batch's labels, every array {@code (B, ...)}
     * @param devices where the blocks run, in order
     * @param blocksPerDevice how many blocks each device's rows are cut into (one, except in tests
     *     of the split itself)
     * @return the blocks, grouped by device in the devices' order; the batch itself (not a copy)
     *     when there is one device and one block
     * @throws IllegalArgumentException if the batch is cut and an array's first axis is not the
     *     batch's rows
     */
    static List<Block> split(
            NDList data, NDList labels, List<Device> devices, int blocksPerDevice) {
        int rows = Math.toIntExact(data.head().getShape().get(0));
        if (devices.size() == 1 && blocksPerDevice == 1) {
            return List.of(new Block(devices.get(0), data, labels, rows));
        }
        // only a batch that is cut needs every array to have its rows first
        requireRows(data, rows, "data");
        requireRows(labels, rows, "labels");
        List<Block> blocks = new ArrayList<>();
        int[] perDevice = sizes(rows, devices.size());
        int start = 0;
        for (int d = 0; d < perDevice.length; d++) {
            for (int size : sizes(perDevice[d], blocksPerDevice)) {
                blocks.add(
                        new Block(
                                devices.get(d),
                                rowsOf(data, start, size, devices.get(d)),
                                rowsOf(labels, start, size, devices.get(d)),
                                size));
                start += size;
            }
        }
        return blocks;
    }

    /** {@code total} cut into at most {@code parts} non-empty sizes that differ by at most one. */
    static int[] sizes(int total, int parts) {
        int n = Math.min(total, parts);
        int[] sizes = new int[n];
        for (int i = 0; i < n; i++) {
            sizes[i] = total / n + (i < total % n ? 1 : 0);
        }
        return sizes;
    }

    private static NDList rowsOf(NDList list, int start, int size, Device device) {
        NDList rows = new NDList(list.size());
        for (NDArray array : list) {
            // a slice is a view; toDevice copies only when the block runs elsewhere. Both land in
            // the batch's manager and are freed with the batch.
            NDArray slice = array.get(start + ":" + (start + size));
            NDArray placed = slice.toDevice(device, false);
            if (placed != slice) {
                slice.close();
            }
            placed.setName(array.getName());
            rows.add(placed);
        }
        return rows;
    }

    private static void requireRows(NDList list, int rows, String what) {
        for (NDArray array : list) {
            if (array.getShape().dimension() == 0 || array.getShape().get(0) != rows) {
                throw new IllegalArgumentException(
                        "every "
                                + what
                                + " array must have the batch's "
                                + rows
                                + " rows first to be split across devices, but '"
                                + array.getName()
                                + "' has shape "
                                + array.getShape());
            }
        }
    }
}
