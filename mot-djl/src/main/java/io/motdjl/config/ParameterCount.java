package io.motdjl.config;

/**
 * How many parameter values a {@link MoTConfig}'s default model stores, counted from the config
 * alone (nothing is built), exactly as the model builds them: every tower's copy of the untied
 * components, norm scales, the token embedding and the output head. With {@code d} the width,
 * {@code H·hd} the attention width, {@code F} the SwiGLU hidden width, {@code L} layers, {@code V}
 * the vocabulary and {@code S} the parameter sets of a component (K untied, 1 tied; K the number of
 * towers, M unless {@code towers} lets modalities share one):
 *
 * <pre>
 *   embedding and head         2·V·d                         (never tied to each other)
 *   per layer                  S_att · 4·d·H·hd              (Wq, Wk, Wv, Wo)
 *                              + S_ffn · 3·d·F               (W1, W2, W3)
 *                                (a mixture-of-experts set: E · 3·d·F + E·d, experts and router)
 *                              + S_norms · (2·d [+ 2·hd with QK-norm])
 *   final norm                 S_norms · d
 *   Transfusion (diffusion)    P·d + d + 2·(d·d + d)         (patch projection, timestep MLP)
 *                              + d·P + P                     (noise head), P the patch values
 *     with the conv encoder    9·C + C + 9·C² + C            (conv_in, conv_mid: 3×3 kernels)
 *                              + d·C·p² + d + 2·(d·d + d)    (patchify, timestep MLP)
 *                              + d·C·p² + C                  (unpatchify)
 *                              + 9·C² + C + 9·C + 1          (conv_mid, conv_out), C channels
 * </pre>
 *
 * <p>Arithmetic is exact: a config whose count does not fit a {@code long} is an {@link
 * ArithmeticException}, never a wrapped-around number.
 */
public final class ParameterCount {

    private final MoTConfig config;

    private ParameterCount(MoTConfig config) {
        this.config = config;
    }

    /** The count of {@code config}. */
    public static ParameterCount of(MoTConfig config) {
        return new ParameterCount(config);
    }

    /** Matmul values of one layer's attention for one tower: {@code 4·d·H·hd}. */
    public long attentionPerLayer() {
        long width = Math.multiplyExact((long) config.nHeads(), config.headDim());
        return Math.multiplyExact(4L * config.dim(), width);
    }

    /** Matmul values of one layer's SwiGLU for one tower: {@code 3·d·F}. */
    public long feedForwardPerLayer() {
        return Math.multiplyExact(3L * config.dim(), config.ffnHiddenDim());
    }

    /**
     * Values of one layer's feed-forward parameter set {@code set}: {@code 3·d·F}, or {@code
     * E·3·d·F + E·d} when the set is a mixture of experts.
     */
    public long feedForwardPerLayer(int set) {
        MoeConfig moe = config.moe();
        if (moe == null || !moe.covers(set)) {
            return feedForwardPerLayer();
        }
        long router = Math.multiplyExact((long) moe.experts(), config.dim());
        return Math.addExact(Math.multiplyExact(moe.experts(), feedForwardPerLayer()), router);
    }

    /**
     * The ways in and out: token embedding plus output head, {@code 2·V·d}, and in the Transfusion
     * setting the patch adapter and the noise head.
     */
    public long embedding() {
        long d = config.dim();
        long tokens = Math.multiplyExact(2L * config.vocabSize(), d);
        DiffusionConfig diffusion = config.diffusion();
        if (diffusion == null) {
            return tokens;
        }
        if (diffusion.patchEncoder() == PatchEncoder.CONV) {
            return Math.addExact(tokens, convEncoderAndDecoder(diffusion));
        }
        long p = diffusion.patchValues();
        long adapter = p * d + d + 2 * (d * d + d);
        long head = d * p + p;
        return Math.addExact(tokens, Math.addExact(adapter, head));
    }

    /** The conv patch encoder's and noise head's values (grey images: one pixel channel). */
    private long convEncoderAndDecoder(DiffusionConfig diffusion) {
        long d = config.dim();
        long c = diffusion.convChannels();
        long kernel = (long) PatchEncoder.CONV_KERNEL_SIDE * PatchEncoder.CONV_KERNEL_SIDE;
        long patchPixels = diffusion.patchValues();
        long full = Math.multiplyExact(Math.multiplyExact(kernel, c), c) + c; // a 3x3 C -> C
        long patchify = Math.multiplyExact(Math.multiplyExact(d, c), patchPixels);
        long timestep = Math.multiplyExact(2L, Math.addExact(Math.multiplyExact(d, d), d));
        long adapter = (kernel * c + c) + full + (patchify + d) + timestep;
        long head = (patchify + c) + full + (kernel * c + 1);
        return Math.addExact(adapter, head);
    }

    /** Every value but the embedding and the head. */
    public long nonEmbedding() {
        long d = config.dim();
        int attentionSets = config.parameterSets(config.untie().attention());
        int ffnSets = config.parameterSets(config.untie().ffn());
        long ffnValues = 0;
        for (int set = 0; set < ffnSets; set++) {
            ffnValues = Math.addExact(ffnValues, feedForwardPerLayer(set));
        }
        int normSets = config.parameterSets(config.untie().norms());
        // one norm on each of attention and FFN, before them (pre order) or after (post order)
        long normsPerLayer = 2 * d;
        if (config.qkNorm()) {
            normsPerLayer += 2L * config.headDim();
        }
        long perLayer =
                Math.addExact(
                        Math.addExact(
                                Math.multiplyExact(attentionSets, attentionPerLayer()), ffnValues),
                        Math.multiplyExact(normSets, normsPerLayer));
        long finalNorm = normSets * d;
        return Math.addExact(Math.multiplyExact(config.nLayers(), perLayer), finalNorm);
    }

    /** Every value the model stores. */
    public long total() {
        return Math.addExact(embedding(), nonEmbedding());
    }
}
