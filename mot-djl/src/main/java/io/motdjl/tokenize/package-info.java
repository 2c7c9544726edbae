/**
 * Tokenizers a checkpoint of the Chameleon setting needs at inference, and how to train them.
 *
 * <ul>
 *   <li>{@link io.motdjl.tokenize.ImageTokenizer}: a grayscale image to a fixed number of discrete
 *       codes and back; {@link io.motdjl.tokenize.PatchKMeansTokenizer} is one (vector quantisation
 *       of square patches, {@link io.motdjl.tokenize.PatchGrid}), saved and loaded as a small JSON
 *       file.
 *   <li>{@link io.motdjl.tokenize.JointVocabulary}: one vocabulary for UTF-8 text bytes, the
 *       special tokens (BOS, EOS, BOI, EOI, PAD) and the image codes, and with {@link
 *       io.motdjl.tokenize.JointVocabulary#withSpeech} a speech range after them (BOSP, EOSP and
 *       the speech units); modality ids follow from the token ranges. {@code
 *       generate.ChameleonGenerator} and the zoo's translators speak it.
 *   <li>{@link io.motdjl.tokenize.PatchKMeansTrainer} (over {@link io.motdjl.tokenize.KMeans}):
 *       trains a patch tokenizer on any list of same-sized images, deterministically for a seed;
 *       {@link io.motdjl.tokenize.ReconstructionReport} measures its round trip.
 * </ul>
 *
 * <pre>{@code
 * PatchKMeansTokenizer tokenizer =
 *         PatchKMeansTrainer.train(images, 28, 28, PatchKMeansTrainer.Options.defaults());
 * JointVocabulary vocabulary = JointVocabulary.forTokenizer(tokenizer);
 * MoTConfig config = vocabulary.applyTo(MoTConfig.builder().dim(128).nLayers(4)).build();
 * }</pre>
 */
package io.motdjl.tokenize;
