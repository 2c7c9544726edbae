package io.motdjl.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The Fashion-MNIST test split bundled with mot-djl-examples, read once per test JVM. Maven runs
 * the tests with the mot-djl module as working directory.
 */
final class BundledFashionMnist {

    static final Path DIRECTORY =
            Path.of("../mot-djl-examples/src/main/resources/io/motdjl/examples/fashion-mnist");

    private static FashionMnist data;

    private BundledFashionMnist() {}

    /** The 10,000 test images. */
    static synchronized FashionMnist get() {
        if (data == null) {
            try {
                data = FashionMnist.read(DIRECTORY, FashionMnist.Part.TEST);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return data;
    }
}
