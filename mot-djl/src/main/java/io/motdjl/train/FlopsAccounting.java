package io.motdjl.train;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.MoeConfig;
import io.motdjl.config.ParameterCount;
import io.motdjl.config.PatchEncoder;

/**
 * Analytic parameter and FLOP counts of a {@link MoTConfig}, so that MoT and dense runs can be
 * compared against training compute as the paper does.
 *
 * <p>A multiply-add counts as 2 FLOPs. Per token, with {@code d} the width, {@code H·hd} the
 * attention width, {@code F} the SwiGLU hidden width, {@code L} layers, {@code V} the vocabulary
 * and {@code T} the sequence length:
 *
 * <pre>
 *   active non-embedding parameters  N = L · (4·d·H·hd + 3·d·F)        (Wq, Wk, Wv, Wo; W1, W2, W3)
 *   forward FLOPs per token          2·N + 2·V·d + L · 2·2·T·H·hd
 *   training FLOPs per token         3 × forward                        (backward ≈ 2 × forward)
 * </pre>
 *
 * <ul>
 *   <li>A token touches exactly one parameter set (its modality's tower) of each component, so
 *       {@code N} does not depend on the number of modalities or towers or on what is untied: MoT
 *       and its dense twin have equal FLOPs per token, while MoT has more {@link #totalParameters()
 *       parameters} (one copy of each untied component per tower).
 *   <li>The attention term counts the score matmul {@code QKᵀ} and the value matmul {@code AV},
 *       each {@code 2·T·H·hd} per token, over the <em>full</em> length {@code T}, as Hoffmann et
 *       al. 2022 (App. F) do: it is not halved for causality, since the implementation computes the
 *       full masked score matrix. (Kaplan et al. 2020 count {@code 2·T·d_attn} per layer, half of
 *       this term.)
 *   <li>A mixture-of-experts feed-forward ({@link MoeConfig}) costs per row {@code expertsPerRow ·
 *       3·d·F} (top-k under token choice, the capacity factor under expert choice) plus its router
 *       {@code d·E}, counted in the active parameters of the tokens that reach it. When some
 *       modalities' feed-forwards are mixtures and others are not, a token's cost depends on its
 *       modality: use the per-modality figures ({@link #trainingFlops(long[], int)}); the figures
 *       without a modality are those of the costliest one.
 *   <li>The output head costs {@code 2·V·d}; the embedding lookup is a gather and costs nothing. A
 *       Transfusion image row costs its patch encoder and noise head instead ({@link
 *       #adapterAndHeadFlopsPerToken}): with the conv encoder, whose convolutions run on whole
 *       images, each row carries an equal share of its image's convolutions.
 *   <li>RMSNorms, the softmax, RoPE, the residual adds and SiLU are elementwise, {@code O(d)} per
 *       token against {@code O(d²)} for the matmuls, and are left out of the FLOPs; their
 *       parameters (norm scales) are left out of {@code N} but included in the parameter totals.
 * </ul>
 */
public final class FlopsAccounting {

    private final MoTConfig config;

    private FlopsAccounting(MoTConfig config) {
        this.config = config;
    }

    /** The accounting of {@code config}. */
    public static FlopsAccounting of(MoTConfig config) {
        return new FlopsAccounting(config);
    }

    /** The config counted. */
    public MoTConfig config() {
        return config;
    }

    private long attentionWidth() {
        return (long) config.nHeads() * config.headDim();
    }

    /** Matmul parameters of one layer's attention for one modality: {@code 4·d·H·hd}. */
    public long attentionParametersPerLayer() {
        return ParameterCount.of(config).attentionPerLayer();
    }

    /** Matmul parameters of one layer's SwiGLU for one modality: {@code 3·d·F}. */
    public long feedForwardParametersPerLayer() {
        return ParameterCount.of(config).feedForwardPerLayer();
    }

    /**
     * Non-embedding parameters one token uses, of the costliest modality: the dense model's matmul
     * weights, {@code L·(4·d·H·hd + 3·d·F)}, with a mixture of experts' active share where there is
     * one. Norm scales are not counted (see the class notes).
     */
    public long activeNonEmbeddingParameters() {
        long most = 0;
        for (int m = 0; m < config.nModalities(); m++) {
            most = Math.max(most, activeNonEmbeddingParameters(m));
        }
        return most;
    }

    /**
     * Non-embedding matmul parameters a token of modality {@code m} uses: {@code L·(4·d·H·hd +
     * ffn)}, where {@code ffn} is {@code 3·d·F}, or {@code expertsPerRow·3·d·F + d·E} when the
     * feed-forward that serves {@code m} (its tower's, when untied) is a mixture of experts
     * (rounded up to whole values).
     *
     * @param m the modality
     * @return the active parameters per token
     */
    public long activeNonEmbeddingParameters(int m) {
        if (m < 0 || m >= config.nModalities()) {
            throw new IllegalArgumentException(
                    "modality " + m + " is outside [0, " + config.nModalities() + ")");
        }
        long ffn = feedForwardParametersPerLayer();
        MoeConfig moe = config.moe();
        int set = config.untie().ffn() ? config.towerOf(m) : 0;
        if (moe != null && moe.covers(set)) {
            ffn = (long) Math.ceil(moe.expertsPerRow() * ffn) + (long) moe.experts() * config.dim();
        }
        return config.nLayers() * (attentionParametersPerLayer() + ffn);
    }

    /** Output head FLOPs per token: {@code 2·V·d}. */
    public long headFlopsPerToken() {
        return 2L * config.vocabSize() * config.dim();
    }

    /** Attention score and value matmul FLOPs per token over all layers: {@code L·2·2·T·H·hd}. */
    public long attentionFlopsPerToken(int sequenceLength) {
        requireLength(sequenceLength);
        return config.nLayers() * 2L * 2L * sequenceLength * attentionWidth();
    }

    /**
     * FLOPs of modality {@code m}'s way in and out per token: the vocabulary head's {@code 2·V·d}
     * (an embedding lookup costs none), or for the Transfusion setting's patch rows the patch
     * projection, the timestep MLP and the noise head, {@code 2·(P·d + 2·d² + d·P)}; with the conv
     * patch encoder, {@link #convImageFlops() the convolutions of an image} divided over its rows,
     * plus the timestep MLP {@code 2·2·d²}.
     */
    public long adapterAndHeadFlopsPerToken(int m) {
        DiffusionConfig diffusion = config.diffusion();
        if (diffusion != null && diffusion.modality() == m) {
            long d = config.dim();
            if (diffusion.patchEncoder() == PatchEncoder.CONV) {
                return convImageFlops() / diffusion.imageRows() + 2L * 2 * d * d;
            }
            long p = diffusion.patchValues();
            return 2L * (p * d + 2 * d * d + d * p);
        }
        return headFlopsPerToken();
    }

    /**
     * Forward FLOPs of the conv patch encoder's and noise head's convolutions for one image.
     *
     * <p>An image has {@code S²} pixels ({@code S} the image side, {@code p} the patch side, {@code
     * C} the channels, {@code R = (S/p)²} rows, {@code k = 3}); every convolution is counted at
     * every output pixel it computes, borders (zero padding) included:
     *
     * <pre>
     *   conv_in      2·k²·1·C · S²         conv_mid (encoder)   2·k²·C·C · S²
     *   patchify     2·p²·C·d · R          unpatchify           2·d·C·p² · R
     *   conv_mid     2·k²·C·C · S²         conv_out             2·k²·C·1 · S²
     * </pre>
     *
     * <p>Since {@code S² = R·p²}, this divides exactly over the image's rows. Biases and SiLU are
     * elementwise and left out, as elsewhere.
     *
     * @throws IllegalStateException if the config has no conv patch encoder
     */
    public long convImageFlops() {
        DiffusionConfig diffusion = config.diffusion();
        if (diffusion == null || diffusion.patchEncoder() != PatchEncoder.CONV) {
            throw new IllegalStateException("the config has no conv patch encoder: " + diffusion);
        }
        long d = config.dim();
        long c = diffusion.convChannels();
        long kernel = (long) PatchEncoder.CONV_KERNEL_SIDE * PatchEncoder.CONV_KERNEL_SIDE;
        long pixels = (long) diffusion.imageSide() * diffusion.imageSide();
        long rows = diffusion.imageRows();
        long patch = diffusion.patchValues();
        long fullResolution =
                Math.multiplyExact(
                        2L * kernel * pixels,
                        Math.addExact(
                                Math.addExact(c, Math.multiplyExact(2L * c, c)),
                                c)); // in, 2 mid, out
        long patchifyBothWays = Math.multiplyExact(Math.multiplyExact(2L * 2 * patch * rows, c), d);
        return Math.addExact(fullResolution, patchifyBothWays);
    }

    /** Forward FLOPs per token at sequence length {@code T} (of the costliest modality). */
    public long forwardFlopsPerToken(int sequenceLength) {
        long most = 0;
        for (int m = 0; m < config.nModalities(); m++) {
            most = Math.max(most, forwardFlopsPerToken(m, sequenceLength));
        }
        return most;
    }

    /** Forward FLOPs per token of modality {@code m} at sequence length {@code T}. */
    public long forwardFlopsPerToken(int m, int sequenceLength) {
        return 2L * activeNonEmbeddingParameters(m)
                + adapterAndHeadFlopsPerToken(m)
                + attentionFlopsPerToken(sequenceLength);
    }

    /** Training (forward + backward) FLOPs per token: {@code 3 ×} the forward FLOPs. */
    public long trainingFlopsPerToken(int sequenceLength) {
        return 3L * forwardFlopsPerToken(sequenceLength);
    }

    /**
     * Training FLOPs of {@code tokens} non-padding tokens in sequences of length {@code T} (at the
     * costliest modality's rate; exact unless a mixture of experts serves some modalities only).
     */
    public double trainingFlops(long tokens, int sequenceLength) {
        return (double) tokens * trainingFlopsPerToken(sequenceLength);
    }

    /**
     * Training FLOPs of real (non-padding) tokens counted per modality, in sequences of length
     * {@code T}.
     *
     * @param tokensPerModality real tokens of each modality
     * @param sequenceLength T
     * @return the FLOPs
     */
    public double trainingFlops(long[] tokensPerModality, int sequenceLength) {
        if (tokensPerModality.length != config.nModalities()) {
            throw new IllegalArgumentException(
                    "need one token count per modality ("
                            + config.nModalities()
                            + "), got "
                            + tokensPerModality.length);
        }
        double flops = 0;
        for (int m = 0; m < tokensPerModality.length; m++) {
            flops += (double) tokensPerModality[m] * 3L * forwardFlopsPerToken(m, sequenceLength);
        }
        return flops;
    }

    /** Token embedding plus output head parameters: {@code 2·V·d} (they are never tied here). */
    public long embeddingParameters() {
        return ParameterCount.of(config).embedding();
    }

    /**
     * Every parameter the model stores: all tower copies of the untied components, norm scales
     * included, embeddings and head included. Equal to the sum of the sizes of {@code new
     * MoTModel(config).getParameters()}.
     */
    public long totalParameters() {
        return ParameterCount.of(config).total();
    }

    /** {@link #totalParameters()} without the token embedding and the output head. */
    public long nonEmbeddingParameters() {
        return ParameterCount.of(config).nonEmbedding();
    }

    /** A one-line summary at sequence length {@code T}, for logs. */
    public String describe(int sequenceLength) {
        return String.format(
                java.util.Locale.ROOT,
                "%,d parameters (%,d non-embedding), %,d active non-embedding per token;"
                        + " %.4g training FLOPs per token at T=%d",
                totalParameters(),
                nonEmbeddingParameters(),
                activeNonEmbeddingParameters(),
                (double) trainingFlopsPerToken(sequenceLength),
                sequenceLength);
    }

    /** {@link #describe} at the config's {@code max_seq_len}. */
    @Override
    public String toString() {
        return describe(config.maxSeqLen());
    }

    private static void requireLength(int sequenceLength) {
        if (sequenceLength < 1) {
            throw new IllegalArgumentException(
                    "the sequence length must be positive, got " + sequenceLength);
        }
    }
}
