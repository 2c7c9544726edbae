package io.motdjl.examples.speech;

import io.motdjl.speech.LogMelSpectrogram;

/**
 * Log-mel values as unsigned bytes: {@code [min, max]} in {@code levels − 1} equal steps, rounded
 * to the nearest level and clipped to the range. Decoding gives {@code min + q · step}, so a value
 * inside the range comes back within half a step.
 *
 * @param min the value of level 0
 * @param max the value of the top level
 * @param levels number of levels, 2 to 256
 */
public record LogMelQuantization(double min, double max, int levels) {

    /** The top of {@link #CORPUS}'s range. */
    public static final double CORPUS_MAX = 8.0;

    /**
     * The corpus file's range: from the front end's floor {@code ln 1e-5 = −11.513} (digital
     * silence, which thus decodes exactly) to {@value #CORPUS_MAX}, above the loudest value of the
     * bundled corpus (about 6.78, flite slt) and about a full-scale sine's (7.6), in 255 steps of
     * 0.0765: at most 0.0383 nats (0.17 dB) of error, a variance of {@code step² / 12 = 0.00049}
     * nats², against about 10 nats² of variance in the frames.
     */
    public static final LogMelQuantization CORPUS =
            new LogMelQuantization(
                    StrictMath.log(LogMelSpectrogram.LOG_FLOOR),
                    LogMelQuantization.CORPUS_MAX,
                    256);

    /** Checks the fields. */
    public LogMelQuantization {
        if (!(Double.isFinite(min) && Double.isFinite(max) && min < max)) {
            throw new IllegalArgumentException(
                    "quantisation range must be finite with min < max, got ["
                            + min
                            + ", "
                            + max
                            + "]");
        }
        if (levels < 2 || levels > 256) {
            throw new IllegalArgumentException(
                    "quantisation levels must be in [2, 256], got " + levels);
        }
    }

    /** The distance between two levels. */
    public double step() {
        return (max - min) / (levels - 1);
    }

    /** The largest error of a value inside the range: half a step. */
    public double maxError() {
        return step() / 2;
    }

    /** Whether {@code value} lies outside the range, so that encoding clips it. */
    public boolean clips(float value) {
        return value < min || value > max;
    }

    /** The level of {@code value}, clipped to {@code [0, levels − 1]}, as an unsigned byte. */
    public byte encode(float value) {
        if (Float.isNaN(value)) {
            throw new IllegalArgumentException("cannot quantise NaN");
        }
        long level = Math.round((value - min) / step());
        return (byte) Math.max(0, Math.min(levels - 1, level));
    }

    /** The value of level {@code Byte.toUnsignedInt(level)}. */
    public float decode(byte level) {
        int q = Byte.toUnsignedInt(level);
        if (q >= levels) {
            throw new IllegalArgumentException(
                    "level " + q + " is outside [0, " + (levels - 1) + "]");
        }
        return (float) (min + q * step());
    }
}
