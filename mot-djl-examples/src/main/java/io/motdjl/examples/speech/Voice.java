package io.motdjl.examples.speech;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One synthesizer voice of the corpus.
 *
 * @param engine the synthesizer
 * @param name the voice as the program takes it: flite's {@code -voice} (e.g. {@code slt}),
 *     espeak-ng's {@code -v} (e.g. {@code en-gb+m1})
 * @param heldOut whether the voice is kept out of training (split {@link Split#HELDOUT_VOICE})
 * @param f0Centre for flite voices whose pitch can be set, the centre in Hz of the seeded {@code
 *     int_f0_target_mean} draws (about the voice's own median F0); empty for flite's rms, which
 *     ignores it, and for espeak-ng, whose pitch is {@code -p}
 */
public record Voice(Engine engine, String name, boolean heldOut, OptionalInt f0Centre) {

    /** Checks the fields. */
    public Voice {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(f0Centre, "f0Centre");
        if (name.isEmpty() || name.startsWith("-")) {
            throw new IllegalArgumentException("invalid voice name \"" + name + "\"");
        }
        if (engine == Engine.ESPEAK_NG && f0Centre.isPresent()) {
            throw new IllegalArgumentException(
                    "espeak-ng voices vary pitch with -p, not an F0 centre: " + name);
        }
    }

    /** A flite voice whose mean F0 is drawn around {@code f0Centre} Hz. */
    public static Voice flite(String name, boolean heldOut, int f0Centre) {
        return new Voice(Engine.FLITE, name, heldOut, OptionalInt.of(f0Centre));
    }

    /** A flite voice whose pitch cannot be set (only its speed varies). */
    public static Voice fliteSpeedOnly(String name, boolean heldOut) {
        return new Voice(Engine.FLITE, name, heldOut, OptionalInt.empty());
    }

    /** An espeak-ng voice. */
    public static Voice espeak(String name, boolean heldOut) {
        return new Voice(Engine.ESPEAK_NG, name, heldOut, OptionalInt.empty());
    }

    /** {@code engine/name}, e.g. {@code flite/slt}. */
    @Override
    public String toString() {
        return engine.program() + "/" + name;
    }
}
