package io.motdjl.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.PairList;

import io.motdjl.config.MoTConfig;

/**
 * The keys and values of the tokens a {@link MoTModel} has already seen, so that decoding one more
 * token costs one token's work instead of a pass over the whole prefix.
 *
 * <p>Each layer keeps a preallocated buffer {@code (2, B, H, capacity, headDim)} of keys and
 * values. The keys are stored as attention uses them: after each token's <em>own modality's</em>
 * {@code Wk} and key norm and after RoPE at the token's position, so a cached key never depends on
 * later tokens. A forward pass given a cache ({@link #asParam}) treats its {@code n} tokens as
 * positions {@code length()..length()+n-1}, writes their keys and values into the buffers and
 * attends over everything written so far; then the cache advances by {@code n}.
 *
 * <p>The cache also remembers which positions hold padding (from the pass's {@code
 * attention_mask}), so prompts of different lengths can be decoded together left-padded: a padded
 * position is never attended to. Positions are slots in the row, not counts of real tokens; since
 * RoPE makes attention depend only on the distance between positions, a left-padded row attends
 * exactly as the unpadded row would.
 *
 * <p>A pass may also carry image spans ({@code image_span_ids}): the new tokens of one span then
 * attend to each other in both directions, as in an uncached pass, so a block of image rows can be
 * denoised after a cached caption. A span must lie wholly in one pass: rows cached earlier could
 * not have seen the span's later rows. {@link #rewind} forgets positions, so the same block can be
 * run again at the next denoising step without recomputing the prefix.
 *
 * <p>The buffers live in the cache's own manager; {@link #close()} frees them.
 */
public final class KeyValueCache implements AutoCloseable {

    /** Key under which a cache travels in {@link MoTModel}'s forward params. */
    public static final String KEY = "mot.kv-cache";

    private final NDManager manager;
    private final int batch;
    private final int capacity;
    private final Layer[] layers;
    private final boolean[][] valid;
    private final long[][] spans;
    private final RotaryEmbedding.Tables rotary;
    private final ScalarConstants constants;
    private int length;
    private boolean closed;

    /**
     * Allocates an empty cache.
     *
     * @param config the model's config
     * @param batch rows decoded together
     * @param capacity the most positions a row will hold (prompt plus generated tokens); at most
     *     {@code max_seq_len}
     * @param parent manager under which the cache makes its own
     * @param type the model's floating type
     * @param device where the model runs
     */
    public KeyValueCache(
            MoTConfig config,
            int batch,
            int capacity,
            NDManager parent,
            DataType type,
            Device device) {
        if (batch < 1) {
            throw new IllegalArgumentException("a cache needs at least one row, got " + batch);
        }
        if (capacity < 1 || capacity > config.maxSeqLen()) {
            throw new IllegalArgumentException(
                    "cache capacity must be in [1, max_seq_len = "
                            + config.maxSeqLen()
                            + "], got "
                            + capacity);
        }
        this.batch = batch;
        this.capacity = capacity;
        this.manager = parent.newSubManager(device);
        this.valid = new boolean[batch][capacity];
        this.spans = new long[batch][capacity];
        Shape shape = new Shape(2, batch, config.nHeads(), capacity, config.headDim());
        this.layers = new Layer[config.nLayers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Layer(manager.zeros(shape, type));
        }
        // made once for every position the cache can hold: a step slices its own rows
        this.rotary =
                RotaryEmbedding.tables(
                        manager,
                        capacity,
                        config.headDim(),
                        config.ropeTheta(),
                        config.ropeStyle(),
                        type);
        this.constants = new ScalarConstants(manager);
        // made now, so that steps allocate nothing that lasts
        RmsNorm.prepareConstants(constants, config.normEps(), type);
    }

    /** Rows of the cache (B). */
    public int batch() {
        return batch;
    }

    /** The most positions a row can hold. */
    public int capacity() {
        return capacity;
    }

    /** Positions written so far (the position of the next token). */
    public int length() {
        return length;
    }

    /** Positions that can still be written. */
    public int remaining() {
        return capacity - length;
    }

    /** Whether position {@code position} of row {@code row} holds a real token (not padding). */
    public boolean isValid(int row, int position) {
        return position < length && valid[row][position];
    }

    /** The cache of layer {@code l}. */
    public Layer layer(int l) {
        return layers[l];
    }

    /** Wraps this cache as forward params for {@link MoTModel}. */
    public PairList<String, Object> asParam() {
        PairList<String, Object> params = new PairList<>();
        params.add(KEY, this);
        return params;
    }

    /** The cache in {@code params}, or null. */
    static KeyValueCache from(PairList<String, Object> params) {
        Object value = params == null ? null : params.get(KEY);
        return value instanceof KeyValueCache cache ? cache : null;
    }

    /**
     * Checks that {@code n} more positions for {@code rows} rows fit.
     *
     * @throws IllegalArgumentException if they do not
     * @throws IllegalStateException if the cache is closed
     */
    void checkFits(long rows, long n) {
        if (closed) {
            throw new IllegalStateException("the key/value cache is closed");
        }
        if (rows != batch) {
            throw new IllegalArgumentException(
                    "the cache holds " + batch + " row(s) but the input has " + rows);
        }
        if (n > remaining()) {
            throw new IllegalArgumentException(
                    "the cache holds "
                            + length
                            + " of "
                            + capacity
                            + " positions; "
                            + n
                            + " more do not fit");
        }
    }

    /**
     * Checks that no image span of the next pass continues one that ends the cache: its cached rows
     * were computed before they could see the new ones.
     *
     * @param chunkSpans span ids of the new tokens (row-major {@code B·n}), or null
     * @param n new tokens per row
     * @throws IllegalArgumentException if a span crosses the cache boundary
     */
    void checkSpans(long[] chunkSpans, int n) {
        if (chunkSpans == null || length == 0) {
            return;
        }
        for (int b = 0; b < batch; b++) {
            long first = chunkSpans[b * n];
            if (first != 0 && spans[b][length - 1] == first) {
                throw new IllegalArgumentException(
                        "image span "
                                + first
                                + " of row "
                                + b
                                + " continues a span already in the key/value cache; its cached"
                                + " rows could not attend to the new ones. Pass a whole span in"
                                + " one cached pass (rewind the cache to before it to run it"
                                + " again)");
            }
        }
    }

    /**
     * The additive attention mask {@code (B, 1, n, length+n)} of the next {@code n} tokens (null
     * when nothing is masked): causal, both ways inside an image span of the new tokens, never onto
     * padding, always onto the token itself.
     *
     * @param chunkValid validity of the {@code n} new tokens per row (row-major {@code B·n}), or
     *     null when none is padding
     * @param chunkSpans image span ids of the new tokens (row-major {@code B·n}, 0 outside any
     *     span), or null when there are none
     * @param n new tokens per row
     * @param target where the mask is made
     * @param type floating type of the mask
     */
    NDArray mask(long[] chunkValid, long[] chunkSpans, int n, NDManager target, DataType type) {
        int keys = length + n;
        float[] values = new float[batch * n * keys];
        boolean anyMasked = false;
        int at = 0;
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                int query = length + i;
                for (int j = 0; j < keys; j++) {
                    boolean keyValid =
                            j < length
                                    ? valid[b][j]
                                    : chunkValid == null || chunkValid[b * n + j - length] != 0;
                    boolean sameSpan =
                            chunkSpans != null
                                    && j >= length
                                    && chunkSpans[b * n + i] != 0
                                    && chunkSpans[b * n + i] == chunkSpans[b * n + j - length];
                    boolean allowed = j == query || ((j < query || sameSpan) && keyValid);
                    values[at++] = allowed ? 0f : Float.NEGATIVE_INFINITY;
                    anyMasked |= !allowed;
                }
            }
        }
        if (!anyMasked) {
            // one new token per row and no padding: it sees every cached position, no mask needed
            return null;
        }
        NDArray mask = target.create(values, new Shape(batch, 1, n, keys));
        return type == DataType.FLOAT32 ? mask : mask.toType(type, false);
    }

    /**
     * The rotary tables of the next {@code n} positions ({@code length()..length()+n-1}), sliced
     * from the cache's tables and owned by {@code pass}.
     */
    RotaryEmbedding.Tables rotary(int n, NDManager pass) {
        return rotary.slice(length, n, pass);
    }

    /** Native scalars for the norms of every cached pass; they live as long as the cache. */
    ScalarConstants constants() {
        return constants;
    }

    /**
     * Records {@code n} written positions, their validity and image spans; called once per forward
     * pass.
     */
    void advance(long[] chunkValid, long[] chunkSpans, int n) {
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                valid[b][length + i] = chunkValid == null || chunkValid[b * n + i] != 0;
                spans[b][length + i] = chunkSpans == null ? 0 : chunkSpans[b * n + i];
            }
        }
        length += n;
    }

    /**
     * Forgets every position from {@code newLength} on, so that the next pass writes there again: a
     * block of image rows denoised after a cached prefix is run once per step this way, the prefix
     * computed once.
     *
     * @param newLength positions to keep, in {@code [0, length()]}
     * @throws IllegalArgumentException if {@code newLength} is outside that range
     * @throws IllegalStateException if the cache is closed
     */
    public void rewind(int newLength) {
        if (closed) {
            throw new IllegalStateException("the key/value cache is closed");
        }
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException(
                    "can rewind to a length in [0, " + length + "], got " + newLength);
        }
        length = newLength;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }

    /** One layer's keys and values, in one buffer {@code (2, B, H, capacity, headDim)}. */
    public final class Layer {

        private final NDArray keysAndValues;

        private Layer(NDArray keysAndValues) {
            this.keysAndValues = keysAndValues;
        }

        /**
         * Writes the keys and values of the pass's {@code n} new tokens at positions {@code
         * length()..length()+n-1} and returns all keys and values up to them.
         *
         * @param newKeys {@code (1, B, H, n, headDim)}, rotated
         * @param newValues {@code (1, B, H, n, headDim)}
         * @return keys and values {@code (1, B, H, length()+n, headDim)}, owned by the manager of
         *     {@code newKeys} (the pass's), so they are freed with the pass
         */
        public NDList append(NDArray newKeys, NDArray newValues) {
            long n = newKeys.getShape().get(3);
            int end = length + (int) n;
            // keys and values written together: one indexed write (five JNI calls in DJL) per layer
            NDArray written = NDArrays.concat(new NDList(newKeys, newValues), 0);
            keysAndValues.set(new NDIndex().addAllDim(3).addSliceDim(length, end), written);
            NDArray upToEnd = keysAndValues.get(new NDIndex().addAllDim(3).addSliceDim(0, end));
            upToEnd.attach(newKeys.getManager());
            return upToEnd.split(2, 0);
        }
    }
}
