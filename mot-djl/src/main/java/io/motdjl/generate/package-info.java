/**
 * Generation: seeded token samplers (greedy, temperature, top-k, top-p), modality-constrained
 * decoding rules, and a batched {@link io.motdjl.generate.Generator} that decodes with the
 * key/value cache; {@link io.motdjl.generate.ChameleonGenerator} for caption to image, image to
 * caption and text continuation in the Chameleon setting.
 */
package io.motdjl.generate;
