package io.motdjl.examples.speech;

/** The two speech synthesizers the corpus is made with, both Debian packages. */
public enum Engine {
    /** CMU's Flite 2.2: voices kal16, slt, rms and awb, all written at 16 kHz. */
    FLITE("flite", 16_000),
    /** eSpeak NG 1.51: formant voices with {@code +variant}s, always written at 22,050 Hz. */
    ESPEAK_NG("espeak-ng", 22_050);

    private final String program;
    private final int sampleRate;

    Engine(String program, int sampleRate) {
        this.program = program;
        this.sampleRate = sampleRate;
    }

    /** The program's name on the PATH; also the engine's name in the corpus file. */
    public String program() {
        return program;
    }

    /** The sample rate of the WAV files the program writes. */
    public int sampleRate() {
        return sampleRate;
    }

    /**
     * The engine named {@code program}.
     *
     * @throws IllegalArgumentException if no engine has that name
     */
    public static Engine ofProgram(String program) {
        for (Engine e : values()) {
            if (e.program.equals(program)) {
                return e;
            }
        }
        throw new IllegalArgumentException(
                "unknown speech engine \"" + program + "\"; expected flite or espeak-ng");
    }

    @Override
    public String toString() {
        return program;
    }
}
