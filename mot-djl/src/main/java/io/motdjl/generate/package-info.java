/**
 * Generation: seeded token samplers (greedy, temperature, top-k, top-p), modality-constrained
 * decoding rules ({@link io.motdjl.generate.SpanDecodingRule}: text with image and speech spans),
 * and a batched {@link io.motdjl.generate.Generator} that decodes with the key/value cache; {@link
 * io.motdjl.generate.ChameleonGenerator} for caption to image, image to caption and text
 * continuation in the Chameleon setting, {@link io.motdjl.generate.ChameleonSpeechGenerator} for
 * caption or image to speech units and speech units to caption or image in the Chameleon + speech
 * setting.
 */
package io.motdjl.generate;
