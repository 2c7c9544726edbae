package io.motdjl.examples.bench;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;

/**
 * A model size and batch for the benchmarks. Every size uses the Chameleon (post) norm order with
 * QK-norm, as the PyTorch anchor does, and untied attention, feed-forward and norms.
 *
 * @param name label in tables
 * @param vocab joint vocabulary size
 * @param dim model width
 * @param layers decoder layers
 * @param heads attention heads
 * @param ffnHidden SwiGLU hidden width
 * @param length sequence length T
 * @param batch sequences per batch B
 */
public record BenchSize(
        String name,
        int vocab,
        int dim,
        int layers,
        int heads,
        int ffnHidden,
        int length,
        int batch) {

    /**
     * The PyTorch anchor's configuration: vocab 512, d 256, 4 layers, 4 heads, F 768, T 256, B 8.
     */
    public static final BenchSize ANCHOR =
            new BenchSize("d256-L4-T256", 512, 256, 4, 4, 768, 256, 8);

    /**
     * The larger size of issue 4: d 512, 8 layers, 8 heads, F 1536, T 512, B 8 (4,096 tokens per
     * step; {@code --batch 4} halves it).
     */
    public static final BenchSize LARGE =
            new BenchSize("d512-L8-T512", 512, 512, 8, 8, 1536, 512, 8);

    /** A small size for quick runs and the long memory test: d 128, 2 layers, T 128, B 4. */
    public static final BenchSize SMALL =
            new BenchSize("d128-L2-T128", 512, 128, 2, 4, 384, 128, 4);

    /** The same size with another batch. */
    public BenchSize withBatch(int b) {
        return new BenchSize(name, vocab, dim, layers, heads, ffnHidden, length, b);
    }

    /** Tokens per batch. */
    public long tokensPerBatch() {
        return (long) batch * length;
    }

    /** The model config for {@code modalities} modalities (1 = dense). */
    public MoTConfig config(int modalities) {
        return config(modalities, length);
    }

    /** The model config for {@code modalities} modalities and another {@code max_seq_len}. */
    public MoTConfig config(int modalities, int maxSeqLen) {
        return MoTConfig.builder()
                .vocabSize(vocab)
                .dim(dim)
                .nLayers(layers)
                .nHeads(heads)
                .ffnHiddenDim(ffnHidden)
                .nModalities(modalities)
                .maxSeqLen(maxSeqLen)
                .normOrder(NormOrder.POST)
                .qkNorm(true)
                .normEps(1e-5)
                .build();
    }

    /** Width and depth without the sequence length, e.g. {@code d512-L8}. */
    public String modelLabel() {
        return "d" + dim + "-L" + layers;
    }

    /** E.g. {@code d512-L8-T512 B4}. */
    public String label() {
        return name + " B" + batch;
    }
}
