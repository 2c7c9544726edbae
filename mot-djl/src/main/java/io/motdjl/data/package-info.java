/**
 * Token sequences with modality ids as DJL datasets, for any data a user brings: a {@link
 * io.motdjl.data.TokenSequence} (tokens, modality ids, image span ids) per example, a {@link
 * io.motdjl.data.TokenSequenceDataset} over them, the {@link io.motdjl.data.MoTSequenceBatchifier}
 * that pads a batch and adds the padding mask in the {@link io.motdjl.nn.MoTInputs} layout, and the
 * seeded order both training and shuffled iteration use ({@link
 * io.motdjl.data.EpochShuffleSampler}).
 *
 * <p>For the Chameleon setting, {@link io.motdjl.data.ChameleonSequenceBuilder} lays out a caption
 * and an image's codes over the {@link io.motdjl.tokenize.JointVocabulary} in either {@link
 * io.motdjl.data.Direction} — the layout {@code generate.ChameleonGenerator} prompts with. For the
 * Chameleon + speech setting, {@link io.motdjl.data.InterleavedSequenceBuilder} lays out text,
 * image and speech {@link io.motdjl.data.SequencePart}s, in any of the six {@link
 * io.motdjl.data.Pairing}s of a spoken, captioned image. {@link io.motdjl.data.DenseInputs} adapts
 * batches for a one-modality dense baseline.
 *
 * <p>Typical use, with images and captions of one's own:
 *
 * <pre>{@code
 * PatchKMeansTokenizer tokenizer = PatchKMeansTrainer.train(images, 28, 28, options);
 * JointVocabulary vocabulary = JointVocabulary.forTokenizer(tokenizer);
 * ChameleonSequenceBuilder builder = new ChameleonSequenceBuilder(vocabulary);
 * List<TokenSequence> sequences = new ArrayList<>();
 * for (int i = 0; i < images.size(); i++) {
 *     sequences.add(builder.build(
 *             captions.get(i), tokenizer.encode(images.get(i)), Direction.CAPTION_TO_IMAGE));
 * }
 * TokenSequenceDataset train = TokenSequenceDataset.builder()
 *         .setSequences(sequences).optSeed(seed).setSampling(32, true).build();
 * MoTConfig config = vocabulary.applyTo(MoTConfig.builder().dim(128).nLayers(4))
 *         .maxSeqLen(train.maxLength()).build();
 * }</pre>
 *
 * <p>The Fashion-MNIST experiment built on these (IDX reading, caption templates, direction
 * schedules, the bundled data) is in mot-djl-examples, package {@code
 * io.motdjl.examples.chameleon}.
 */
package io.motdjl.data;
