package io.motdjl.nn;

import ai.djl.ndarray.types.DataType;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.ParameterCount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The memory a config's model needs for its parameters, known before anything is built, so that a
 * config with {@code n_layers} 10^9 is refused at once rather than after minutes of building and an
 * {@link OutOfMemoryError}. Only parameters are counted: activations, gradients and optimizer state
 * come on top, so a model that passes may still not train.
 *
 * @param config the config
 * @param parameters its default model's parameter values ({@link ParameterCount#total()}), or
 *     {@link Long#MAX_VALUE} when the count overflows a {@code long}
 * @param dataType the type the values are stored in
 */
public record MemoryEstimate(MoTConfig config, long parameters, DataType dataType) {

    /**
     * The smallest floating type a model is initialised in: the bound that refuses nothing real.
     */
    public static final DataType SMALLEST_TYPE = DataType.FLOAT16;

    private static final Path MEMINFO = Paths.get("/proc/meminfo");
    private static final String MEMINFO_SOURCE = "MemTotal in " + MEMINFO;

    /** Read once: the machine's memory does not change while the JVM runs. */
    private static final OptionalLong PHYSICAL_MEMORY = physicalMemory(MEMINFO);

    /**
     * The estimate for {@code config}'s default model stored as {@code dataType}.
     *
     * @param config the config
     * @param dataType the parameters' type
     * @return the estimate
     */
    public static MemoryEstimate of(MoTConfig config, DataType dataType) {
        long parameters;
        try {
            parameters = ParameterCount.of(config).total();
        } catch (ArithmeticException e) {
            parameters = Long.MAX_VALUE;
        }
        return new MemoryEstimate(config, parameters, dataType);
    }

    /** Bytes of the parameters, {@link Long#MAX_VALUE} when that overflows. */
    public long bytes() {
        int size = dataType.getNumOfBytes();
        return parameters > Long.MAX_VALUE / size ? Long.MAX_VALUE : parameters * size;
    }

    /**
     * Refuses a config whose parameters cannot fit this machine's physical memory even in {@link
     * #SMALLEST_TYPE}; where the physical memory is unknown (no {@code /proc/meminfo}), nothing is
     * refused. Every {@link MoTModel} is checked so before it is built.
     *
     * @param config the config
     * @throws IllegalArgumentException giving the estimate and the limit
     */
    public static void requireFitsPhysicalMemory(MoTConfig config) {
        of(config, SMALLEST_TYPE).requireFitsPhysicalMemory();
    }

    /**
     * Refuses this estimate if it exceeds the physical memory (when known).
     *
     * @throws IllegalArgumentException giving the estimate and the limit
     */
    public void requireFitsPhysicalMemory() {
        if (PHYSICAL_MEMORY.isPresent()) {
            requireAtMost(PHYSICAL_MEMORY.getAsLong(), "physical memory (" + MEMINFO_SOURCE + ")");
        }
    }

    /**
     * Refuses this estimate if it exceeds {@code limitBytes}.
     *
     * @param limitBytes the limit
     * @param limitName what the limit is, for the message, e.g. {@code "physical memory"}
     * @throws IllegalArgumentException giving the estimate and the limit
     */
    public void requireAtMost(long limitBytes, String limitName) {
        if (bytes() <= limitBytes) {
            return;
        }
        String count =
                parameters == Long.MAX_VALUE
                        ? "more than " + String.format(Locale.ROOT, "%,d", Long.MAX_VALUE)
                        : String.format(Locale.ROOT, "%,d", parameters);
        throw new IllegalArgumentException(
                "model too large: the config ("
                        + shape(config)
                        + ") has "
                        + count
                        + " parameters, "
                        + humanBytes(bytes())
                        + " as "
                        + dataType
                        + ", more than the "
                        + humanBytes(limitBytes)
                        + " of "
                        + limitName
                        + "; nothing was built");
    }

    /** The physical memory in bytes, if this machine says ({@code MemTotal} of Linux). */
    public static OptionalLong physicalMemory() {
        return PHYSICAL_MEMORY;
    }

    /** {@code MemTotal} of a {@code /proc/meminfo} file; empty if absent or unreadable. */
    static OptionalLong physicalMemory(Path meminfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(meminfo, StandardCharsets.US_ASCII);
        } catch (IOException | SecurityException e) {
            return OptionalLong.empty();
        }
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 3 && fields[0].equals("MemTotal:") && fields[2].equals("kB")) {
                try {
                    return OptionalLong.of(Math.multiplyExact(Long.parseLong(fields[1]), 1024L));
                } catch (NumberFormatException | ArithmeticException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The sizes that make a model large, for the message. */
    private static String shape(MoTConfig c) {
        return "n_layers "
                + c.nLayers()
                + ", n_modalities "
                + c.nModalities()
                + ", dim "
                + c.dim()
                + ", ffn_hidden_dim "
                + c.ffnHiddenDim()
                + ", vocab_size "
                + c.vocabSize();
    }

    /** E.g. {@code 23.5 GiB}. */
    static String humanBytes(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0
                ? bytes + " bytes"
                : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
