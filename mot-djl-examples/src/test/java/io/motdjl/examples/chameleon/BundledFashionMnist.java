package io.motdjl.examples.chameleon;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The bundled Fashion-MNIST test split ({@link FashionMnist#bundled()}), read once per JVM. */
final class BundledFashionMnist {

    private static FashionMnist data;

    private BundledFashionMnist() {}

    /** The 10,000 test images. */
    static synchronized FashionMnist get() {
        if (data == null) {
            try {
                data = FashionMnist.bundled();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return data;
    }
}
