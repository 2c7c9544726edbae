package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import io.motdjl.util.Scalars;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Native 0-d constants (a norm's epsilon, the exponent {@code -1/2}) made once and reused by every
 * block of a forward pass, or by every step of a cached decoding.
 *
 * <p>DJL turns a Java number operand into a fresh array each time ({@code add(Number)} creates,
 * uses and frees one), and an exponent that autograd saves must be native ({@link Scalars}): made
 * per use, the constants of the thirteen norms of a four-layer model were about sixty JNI calls per
 * decoding step. The arrays live in the manager given here and are freed with it.
 */
public final class ScalarConstants {

    private final NDManager manager;
    private final Map<Key, NDArray> values = new ConcurrentHashMap<>();

    private record Key(double value, DataType type) {}

    /**
     * Constants made in {@code manager} (and on its device) on first use.
     *
     * @param manager owns the constants; they live as long as it does
     */
    public ScalarConstants(NDManager manager) {
        this.manager = manager;
    }

    /**
     * The 0-d native array holding {@code value} in {@code type}.
     *
     * @param value the constant
     * @param type its floating type
     * @return the same array for every call with the same value and type
     */
    public NDArray of(double value, DataType type) {
        return values.computeIfAbsent(new Key(value, type), k -> Scalars.of(manager, value, type));
    }
}
