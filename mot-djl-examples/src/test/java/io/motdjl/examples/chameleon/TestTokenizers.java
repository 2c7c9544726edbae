package io.motdjl.examples.chameleon;

import io.motdjl.tokenize.PatchKMeansTokenizer;
import io.motdjl.tokenize.PatchKMeansTrainer;

/** Tokenizers trained once per test JVM on the bundled Fashion-MNIST test split. */
final class TestTokenizers {

    /** The split every test uses: 1,000 held-out images, seed 0. */
    static final long SPLIT_SEED = 0;

    static final int HELD_OUT = 1000;

    /** Training images of the shared tokenizer: fewer than the default 5,000, to stay fast. */
    static final int TRAINING_IMAGES = 2000;

    private static FashionMnist.Split split;
    private static PatchKMeansTokenizer standard;

    private TestTokenizers() {}

    /** The bundled test split, split into 9,000 training and 1,000 held-out images. */
    static synchronized FashionMnist.Split split() {
        if (split == null) {
            split = BundledFashionMnist.get().splitByCount(HELD_OUT, SPLIT_SEED);
        }
        return split;
    }

    /** The options of {@link #standard()}: 4 × 4 patches, K = 256, 10 iterations. */
    static PatchKMeansTrainer.Options standardOptions() {
        return PatchKMeansTrainer.Options.defaults().withIterations(10);
    }

    /** 4 × 4 patches, 256 codes, trained on the first 2,000 training images. */
    static synchronized PatchKMeansTokenizer standard() {
        if (standard == null) {
            standard =
                    PatchKMeansTrainer.train(
                            split().train().head(TRAINING_IMAGES).images(),
                            FashionMnist.IMAGE_SIZE,
                            FashionMnist.IMAGE_SIZE,
                            standardOptions());
        }
        return standard;
    }
}
