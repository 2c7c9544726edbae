/**
 * A corpus of spoken captions for the speech modality: the ten Fashion-MNIST classes said in six
 * caption templates by eleven synthesizer voices (Debian's flite and espeak-ng), 2,940 utterances
 * with held-out voices and a held-out template, shipped as 8-bit log-mel frames.
 *
 * <ul>
 *   <li>{@link io.motdjl.examples.speech.SpokenCaptions}: the corpus (bundled, or read from a file)
 *       with its {@link io.motdjl.examples.speech.Utterance}s and {@link
 *       io.motdjl.examples.speech.Split}s; {@link io.motdjl.examples.speech.SpokenCaptionsFile} is
 *       the file format.
 *   <li>{@link io.motdjl.examples.speech.SpeechCorpusBuilder} ({@code bin/speech-corpus}) makes it:
 *       {@link io.motdjl.examples.speech.CorpusPlan} says what to synthesise, {@link
 *       io.motdjl.examples.speech.SpeechSynthesizer} runs the programs, {@link
 *       io.motdjl.examples.speech.UtteranceFeatures} resamples ({@link
 *       io.motdjl.examples.speech.SincResampler}), trims ({@link io.motdjl.speech.SilenceTrimmer})
 *       and computes the log-mels.
 *   <li>{@link io.motdjl.examples.speech.SpokenCaptionsReport} describes a corpus and measures
 *       speech units learned on it.
 * </ul>
 *
 * <pre>{@code
 * SpokenCaptions corpus = SpokenCaptions.bundled();
 * List<float[][]> train = corpus.frames(corpus.utterances(Split.TRAIN));
 * SpeechUnitTokenizer units = SpeechUnitTrainer.trainMel(train,
 *         SpeechUnitTrainer.Options.defaults()).tokenizer();
 * for (Utterance u : corpus.utterances(Split.HELDOUT_VOICE)) {
 *     int[] ids = units.encodeMel(corpus.frames(u)); // u.text(), u.label(), u.voice(), ...
 * }
 * }</pre>
 */
package io.motdjl.examples.speech;
