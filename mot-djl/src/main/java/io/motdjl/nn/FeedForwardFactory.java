package io.motdjl.nn;

import ai.djl.nn.Block;

import io.motdjl.config.MoTConfig;

/**
 * Decides what each feed-forward parameter set of a MoT is. A block made here receives one
 * modality's rows {@code (n, D)} and returns {@code (n, D)} first; any further arrays it returns
 * are auxiliary losses (a mixture of experts' load-balancing term, for example), which the model
 * passes on to the objective under {@link MoTOutputs#AUXILIARY_PREFIX}{@code
 * layers.{l}.feed_forward.{tower}.{name}}.
 *
 * <p>The default makes a {@link SwiGlu} of the config's hidden size everywhere; a factory that
 * returns a mixture of experts for tower 0 only gives the paper's hybrid (a MoE text tower beside a
 * plain image tower).
 */
@FunctionalInterface
public interface FeedForwardFactory {

    /** A SwiGLU of {@code ffn_hidden_dim} for every layer and tower. */
    FeedForwardFactory SWIGLU =
            (config, layer, tower) -> new SwiGlu(config.dim(), config.ffnHiddenDim());

    /**
     * Makes one feed-forward block.
     *
     * @param config the model's config
     * @param layer the layer index
     * @param tower the parameter set's index (the modality id when the feed-forward is untied; 0
     *     when one feed-forward serves every modality)
     * @return a block from {@code (n, D)} rows to {@code (n, D)} rows
     */
    Block create(MoTConfig config, int layer, int tower);
}
