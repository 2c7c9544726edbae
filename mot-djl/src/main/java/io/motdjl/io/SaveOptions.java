package io.motdjl.io;

import ai.djl.ndarray.types.DataType;

import java.util.Set;

/**
 * How {@link ReferenceCheckpoint#save(io.motdjl.nn.MoTModel, java.nio.file.Path, SaveOptions)}
 * stores the weights: their floating type, and the largest shard.
 *
 * @param weightType {@link DataType#FLOAT32} (the default), {@link DataType#FLOAT16} or {@link
 *     DataType#BFLOAT16} (narrowed in Java, rounding to nearest even)
 * @param maxShardBytes the most tensor bytes one file holds; a checkpoint larger than that is
 *     written as shards {@code model-00001-of-0000N.safetensors} with {@code
 *     model.safetensors.index.json}, one that fits as a single {@code model.safetensors}, as
 *     Hugging Face does. A tensor larger than the limit gets a shard of its own. {@link #UNSHARDED}
 *     for one file whatever its size
 */
public record SaveOptions(DataType weightType, long maxShardBytes) {

    // before DEFAULT, whose construction checks against it
    private static final Set<DataType> WEIGHT_TYPES =
            Set.of(DataType.FLOAT32, DataType.FLOAT16, DataType.BFLOAT16);

    /** No shard limit: always one file. */
    public static final long UNSHARDED = Long.MAX_VALUE;

    /**
     * float32, one file: what {@link ReferenceCheckpoint#save(io.motdjl.nn.MoTModel,
     * java.nio.file.Path)} writes.
     */
    public static final SaveOptions DEFAULT = new SaveOptions(DataType.FLOAT32, UNSHARDED);

    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException if the type is not float32, float16 or bfloat16, or the
     *     shard limit is not positive
     */
    public SaveOptions {
        if (weightType == null || !WEIGHT_TYPES.contains(weightType)) {
            throw new IllegalArgumentException(
                    "weights can be saved as float32, float16 or bfloat16, not " + weightType);
        }
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException(
                    "the largest shard must be positive, got " + maxShardBytes + " bytes");
        }
    }

    /** These options with another weight type. */
    public SaveOptions withWeightType(DataType type) {
        return new SaveOptions(type, maxShardBytes);
    }

    /** These options with another shard limit, in bytes of tensor data. */
    public SaveOptions withMaxShardBytes(long bytes) {
        return new SaveOptions(weightType, bytes);
    }
}
