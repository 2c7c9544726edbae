package io.motdjl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

import io.motdjl.nn.MoTOutputs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Host copies of the auxiliary losses and statistics in a step's outputs, one output per block,
 * combined as the mean of the blocks' values weighted by their share of the batch's real tokens (a
 * mixture of experts' share of rows per expert, for example, is then the batch's share).
 */
final class BlockOutputs {

    private BlockOutputs() {}

    /** The auxiliary losses (a few scalars per layer). */
    static Map<String, Float> auxiliaryValues(List<NDList> predictions, double[] shares) {
        Map<String, Float> values = new LinkedHashMap<>();
        combine(predictions, shares, p -> MoTOutputs.of(p).auxiliaryLosses())
                .forEach((name, v) -> values.put(name, v[0]));
        return values;
    }

    /** The statistics. */
    static Map<String, float[]> statisticValues(List<NDList> predictions, double[] shares) {
        return combine(predictions, shares, p -> MoTOutputs.of(p).statistics());
    }

    private static Map<String, float[]> combine(
            List<NDList> predictions,
            double[] shares,
            Function<NDList, Map<String, NDArray>> outputs) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (int i = 0; i < predictions.size(); i++) {
            for (Map.Entry<String, NDArray> e : outputs.apply(predictions.get(i)).entrySet()) {
                float[] block = e.getValue().toType(DataType.FLOAT32, false).toFloatArray();
                if (predictions.size() == 1) {
                    values.put(e.getKey(), block);
                    continue;
                }
                float[] sum = values.computeIfAbsent(e.getKey(), k -> new float[block.length]);
                if (sum.length != block.length) {
                    throw new IllegalStateException(
                            "output "
                                    + e.getKey()
                                    + " has "
                                    + block.length
                                    + " values in block "
                                    + i
                                    + " but "
                                    + sum.length
                                    + " in block 0");
                }
                for (int j = 0; j < block.length; j++) {
                    sum[j] += (float) (shares[i] * block[j]);
                }
            }
        }
        return values;
    }
}
