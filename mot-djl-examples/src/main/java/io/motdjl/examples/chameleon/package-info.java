/**
 * The data of the Chameleon-setting experiment, on the library's generic pieces: Fashion-MNIST read
 * from IDX files ({@link io.motdjl.examples.chameleon.FashionMnist}, with the test split bundled in
 * this module), captions from class names ({@link io.motdjl.examples.chameleon.CaptionTemplates}),
 * the mix of caption-to-image and image-to-caption examples ({@link
 * io.motdjl.examples.chameleon.DirectionSchedule}) and both datasets ready for training ({@link
 * io.motdjl.examples.chameleon.ChameleonData}).
 *
 * <pre>{@code
 * FashionMnist images = FashionMnist.bundled();
 * ChameleonData.Options options = ChameleonData.Options.defaults(seed);
 * FashionMnist.Split split = images.split(options.heldOutFraction(), seed);
 * PatchKMeansTokenizer tokenizer = PatchKMeansTrainer.train(
 *         split.train().images(), 28, 28, PatchKMeansTrainer.Options.defaults());
 * ChameleonData data = ChameleonData.build(split, tokenizer, options);
 * MoTConfig config = data.applyTo(MoTConfig.builder().dim(128).nLayers(4)).build();
 * }</pre>
 */
package io.motdjl.examples.chameleon;
