/**
 * The MoT blocks. Untying happens at the module level: {@link io.motdjl.nn.PerModality} holds one
 * ordinary block per tower (parameter set) and applies it to the rows of its modalities. {@link
 * io.motdjl.nn.MoTModel} = per-modality input adapters, the {@link io.motdjl.nn.MoTTrunk} (layers
 * and final norm over rows grouped by modality) and per-modality output heads; its forward pass
 * returns named outputs ({@link io.motdjl.nn.MoTOutputs}).
 */
package io.motdjl.nn;
