package io.motdjl.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import io.motdjl.nn.MoTInputs;

/**
 * Adapts a batch for a one-modality dense baseline ({@code MoTConfig.denseTwin()}, M = 1), which
 * accepts only modality id 0. The labels keep the true modality ids, so the loss can still be
 * reported per modality.
 *
 * <p>A dense baseline that keeps M = 2 with {@code Untie.NONE} (one shared parameter set) takes the
 * batches as they are and needs no adapting.
 */
public final class DenseInputs {

    private DenseInputs() {}

    /**
     * The same model inputs with every modality id set to 0.
     *
     * @param data a batch in the {@link MoTInputs} layout
     * @return a new list sharing every array except the modality ids
     */
    public static NDList collapseModalities(NDList data) {
        MoTInputs inputs = MoTInputs.from(data);
        NDArray zeros = inputs.modalities().zerosLike();
        NDList out = new NDList(data.size());
        for (int i = 0; i < data.size(); i++) {
            out.add(i == 1 ? zeros : data.get(i));
        }
        zeros.setName(MoTInputs.MODALITIES);
        return out;
    }
}
