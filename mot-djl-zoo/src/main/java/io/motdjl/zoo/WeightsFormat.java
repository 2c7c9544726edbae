package io.motdjl.zoo;

/** How a checkpoint directory stores its weights. Nothing else is ever read (no pickles). */
public enum WeightsFormat {

    /**
     * {@code model.safetensors} with the tensor names of the reference layout ({@link
     * io.motdjl.io.ReferenceNames}): what a PyTorch implementation of the reference layout saves;
     * or the same tensors sharded, {@code model.safetensors.index.json} naming the shard of each.
     */
    SAFETENSORS,

    /**
     * DJL's {@code Model.save} format: {@code <name>-<epoch>.params}, e.g. {@code mot-0000.params}.
     */
    DJL_PARAMS
}
