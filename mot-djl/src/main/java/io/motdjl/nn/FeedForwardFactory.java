package io.motdjl.nn;

import ai.djl.nn.Block;

import io.motdjl.config.MoTConfig;

/**
 * Decides what each feed-forward parameter set of a MoT is. A block made here receives one
 * modality's rows {@code [rows (n, D)]}, or {@code [rows (n, D), validity (n)]} when the pass has
 * padding rows (1 real, 0 padding), and returns {@code (n, D)} first. Any further arrays it returns
 * are auxiliary losses (a mixture of experts' load-balancing term, for example), which the model
 * passes on to the objective as {@link MoTOutputs#AUXILIARY_PREFIX}{@code
 * layers.{l}.feed_forward.{tower}.{name}}, or, when named {@value
 * MoTOutputs#STATISTIC_PREFIX}{@code {name}}, statistics that are reported but never optimised
 * ({@link MoTOutputs#STATISTIC_PREFIX}{@code layers.{l}.feed_forward.{tower}.{name}}).
 *
 * <p>{@link #FROM_CONFIG}, the default, follows the config: a {@link MixtureOfExperts} for the
 * parameter sets its {@code moe} names (the paper's MoT+MoE hybrid when that is the text tower of
 * an untied model; the MoE-Ex baseline when it is the one shared feed-forward), a {@link SwiGlu}
 * elsewhere.
 */
@FunctionalInterface
public interface FeedForwardFactory {

    /** A SwiGLU of {@code ffn_hidden_dim} for every layer and tower. */
    FeedForwardFactory SWIGLU =
            (config, layer, tower) -> new SwiGlu(config.dim(), config.ffnHiddenDim());

    /**
     * What the config says: a {@link MixtureOfExperts} for each parameter set that {@code moe}
     * names, a SwiGLU of {@code ffn_hidden_dim} elsewhere.
     */
    FeedForwardFactory FROM_CONFIG =
            (config, layer, tower) ->
                    config.moe() != null && config.moe().covers(tower)
                            ? new MixtureOfExperts(
                                    config.dim(), config.ffnHiddenDim(), config.moe())
                            : new SwiGlu(config.dim(), config.ffnHiddenDim());

    /**
     * Makes one feed-forward block.
     *
     * @param config the model's config
     * @param layer the layer index
     * @param tower the parameter set's index (when the feed-forward is untied, the tower the
     *     config's {@code towers} maps modalities to, by default the modality id; 0 when one
     *     feed-forward serves every modality)
     * @return a block from {@code (n, D)} rows to {@code (n, D)} rows
     */
    Block create(MoTConfig config, int layer, int tower);
}
