/**
 * The data pipeline of the Chameleon-setting experiment, all in Java and offline: Fashion-MNIST
 * read from IDX files ({@link io.motdjl.data.FashionMnist}); a patch k-means image tokenizer
 * ({@link io.motdjl.tokenize.PatchKMeansTrainer}, {@link io.motdjl.tokenize.PatchKMeansTokenizer}); one
 * vocabulary for UTF-8 text bytes, special tokens and image codes ({@link
 * io.motdjl.tokenize.JointVocabulary}); captions from class names ({@link
 * io.motdjl.data.CaptionTemplates}); caption-to-image and image-to-caption sequences ({@link
 * io.motdjl.data.ChameleonSequenceBuilder}); and a DJL dataset, batchifier and reproducible sampler
 * that feed a {@link io.motdjl.nn.MoTModel} ({@link io.motdjl.data.TokenSequenceDataset}, {@link
 * io.motdjl.data.MoTSequenceBatchifier}, {@link io.motdjl.data.EpochShuffleSampler}).
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * FashionMnist images = FashionMnist.read(dir, FashionMnist.Part.TEST);
 * ChameleonData.Options options = ChameleonData.Options.defaults(seed);
 * FashionMnist.Split split = images.split(options.heldOutFraction(), seed);
 * PatchKMeansTokenizer tokenizer =
 *         PatchKMeansTrainer.train(split.train(), PatchKMeansTrainer.Options.defaults());
 * ChameleonData data = ChameleonData.build(split, tokenizer, options);
 * MoTConfig config = data.applyTo(MoTConfig.builder().dim(128).nLayers(4)).build();
 * for (Batch batch : data.train().getData(manager)) { ... }
 * }</pre>
 */
package io.motdjl.data;
