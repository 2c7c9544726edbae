/**
 * Speech as discrete units, in plain Java (no NDArrays, no native code): 16 kHz mono audio to
 * log-mel frames at 25 Hz, each frame to one of K k-means units, and units back to audio for
 * listening.
 *
 * <ul>
 *   <li>{@link io.motdjl.speech.WavFile}: 16-bit mono PCM WAV in and out, strictly validated,
 *       written atomically; {@link io.motdjl.speech.WavFormatException} says what is wrong.
 *   <li>{@link io.motdjl.speech.LogMelSpectrogram}: the front end (Hann 1024, hop 640, 80 Slaney
 *       mels over 0-8 kHz, {@code ln max(mel, 1e-5)}), bit-reproducible.
 *   <li>{@link io.motdjl.speech.SpeechUnitTokenizer}: frames to units and units to centroid frames,
 *       saved and loaded as a small JSON file; {@link io.motdjl.speech.SpeechUnitTrainer} learns
 *       one with {@code tokenize.KMeans}, {@link io.motdjl.speech.QuantizationReport} measures it.
 *   <li>{@link io.motdjl.speech.GriffinLim}: a rough vocoder from log-mel frames to audio.
 * </ul>
 *
 * <pre>{@code
 * List<float[]> utterances = ...; // 16 kHz mono, e.g. WavFile.read(path, 16000)
 * SpeechUnitTrainer.Result trained =
 *         SpeechUnitTrainer.train(utterances, SpeechUnitTrainer.Options.defaults());
 * SpeechUnitTokenizer tokenizer = trained.tokenizer();
 * int[] units = tokenizer.encode(WavFile.read(Path.of("caption.wav"), 16000));
 * GriffinLim vocoder = new GriffinLim(tokenizer.frontEnd(), GriffinLim.Options.defaults());
 * WavFile.write(Path.of("units.wav"), vocoder.synthesize(tokenizer.decodeMel(units)), 16000);
 * }</pre>
 */
package io.motdjl.speech;
