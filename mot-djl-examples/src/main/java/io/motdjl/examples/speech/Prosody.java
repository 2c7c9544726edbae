package io.motdjl.examples.speech;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/** The speed and pitch one utterance is synthesised with, as the engine's own options. */
public sealed interface Prosody permits Prosody.Flite, Prosody.Espeak {

    /** The engine these options belong to. */
    Engine engine();

    /** The command-line options that set them, placed before the text. */
    List<String> arguments();

    /**
     * Flite's options ({@code --setf name=value}).
     *
     * @param durationStretch {@code duration_stretch}: 1 is the voice's own speed, 1.15 is 15 %
     *     slower; written with two decimals
     * @param f0Mean {@code int_f0_target_mean} in Hz, the mean pitch; empty leaves the voice's own
     *     (flite's rms ignores it)
     */
    record Flite(double durationStretch, OptionalInt f0Mean) implements Prosody {

        /** Checks the values. */
        public Flite {
            if (!(durationStretch >= 0.25 && durationStretch <= 4)) {
                throw new IllegalArgumentException(
                        "duration_stretch must be in [0.25, 4], got " + durationStretch);
            }
            if (Math.round(durationStretch * 100) / 100.0 != durationStretch) {
                // the command line writes two decimals: the record must say what was run
                throw new IllegalArgumentException(
                        "duration_stretch must have at most two decimals, got " + durationStretch);
            }
            if (f0Mean.isPresent() && (f0Mean.getAsInt() < 40 || f0Mean.getAsInt() > 500)) {
                throw new IllegalArgumentException(
                        "int_f0_target_mean must be in [40, 500] Hz, got " + f0Mean.getAsInt());
            }
        }

        @Override
        public Engine engine() {
            return Engine.FLITE;
        }

        @Override
        public List<String> arguments() {
            String stretch = String.format(Locale.ROOT, "duration_stretch=%.2f", durationStretch);
            return f0Mean.isPresent()
                    ? List.of(
                            "--setf", stretch, "--setf", "int_f0_target_mean=" + f0Mean.getAsInt())
                    : List.of("--setf", stretch);
        }
    }

    /**
     * eSpeak NG's options.
     *
     * @param pitch {@code -p}, 0 to 99 (the voice's default is 50)
     * @param speed {@code -s}, words per minute, 80 to 450 (default 175)
     */
    record Espeak(int pitch, int speed) implements Prosody {

        /** Checks the values. */
        public Espeak {
            if (pitch < 0 || pitch > 99) {
                throw new IllegalArgumentException("pitch (-p) must be in [0, 99], got " + pitch);
            }
            if (speed < 80 || speed > 450) {
                throw new IllegalArgumentException(
                        "speed (-s) must be in [80, 450] words per minute, got " + speed);
            }
        }

        @Override
        public Engine engine() {
            return Engine.ESPEAK_NG;
        }

        @Override
        public List<String> arguments() {
            return List.of("-p", Integer.toString(pitch), "-s", Integer.toString(speed));
        }
    }
}
