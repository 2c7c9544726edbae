package io.motdjl.examples.chameleon;

import io.motdjl.util.Seeds;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.RandomAccess;

/**
 * Fashion-MNIST images (28 × 28 unsigned bytes, row-major) and their labels (0..9), held in memory.
 * Immutable: accessors return copies.
 *
 * <p>Reads the four IDX files of the standard distribution, gzip or raw: {@code
 * t10k-images-idx3-ubyte[.gz]}, {@code t10k-labels-idx1-ubyte[.gz]} and, where present, the {@code
 * train-*} pair (Debian's {@code dataset-fashion-mnist} installs all four under {@code
 * /usr/share/datasets/fashion-mnist/}).
 */
public final class FashionMnist {

    private static final Logger logger = LoggerFactory.getLogger(FashionMnist.class);

    /** Image height and width. */
    public static final int IMAGE_SIZE = 28;

    /** Pixels per image. */
    public static final int PIXELS = IMAGE_SIZE * IMAGE_SIZE;

    /** Class names in label order. */
    public static final List<String> CLASS_NAMES =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    /** Number of classes. */
    public static final int NUM_CLASSES = CLASS_NAMES.size();

    /** Class-path folder of the test split bundled with mot-djl-examples. */
    public static final String BUNDLED_FOLDER = "io/motdjl/examples/fashion-mnist";

    /** Where Debian's {@code dataset-fashion-mnist} package puts all 70,000 images. */
    public static final Path DEBIAN_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    /** The two parts of the standard distribution and their file names. */
    public enum Part {
        /** The 10,000-image test split ({@code t10k-*}). */
        TEST("t10k"),
        /** The 60,000-image training split ({@code train-*}). */
        TRAIN("train");

        private final String prefix;

        Part(String prefix) {
            this.prefix = prefix;
        }

        /** Base name of the images file, without {@code .gz}. */
        public String imagesFile() {
            return prefix + "-images-idx3-ubyte";
        }

        /** Base name of the labels file, without {@code .gz}. */
        public String labelsFile() {
            return prefix + "-labels-idx1-ubyte";
        }
    }

    /**
     * A partition of a data set into two disjoint parts.
     *
     * @param train the part to train on
     * @param heldOut the part kept for evaluation
     */
    public record Split(FashionMnist train, FashionMnist heldOut) {}

    private final byte[] pixels;
    private final byte[] labels;

    private FashionMnist(byte[] pixels, byte[] labels) {
        this.pixels = pixels;
        this.labels = labels;
    }

    /**
     * Wraps images and labels, checking that they fit together.
     *
     * @param pixels {@code n * 784} bytes, image after image
     * @param labels {@code n} labels in {@code [0, 10)}
     * @return the data set (holding copies)
     */
    public static FashionMnist of(byte[] pixels, byte[] labels) {
        return validated(pixels.clone(), labels.clone(), "arrays");
    }

    private static FashionMnist validated(byte[] pixels, byte[] labels, String source) {
        if (pixels.length != (long) labels.length * PIXELS) {
            throw new IllegalArgumentException(
                    source
                            + ": "
                            + pixels.length
                            + " pixel bytes do not make "
                            + labels.length
                            + " images of "
                            + IMAGE_SIZE
                            + " x "
                            + IMAGE_SIZE);
        }
        for (int i = 0; i < labels.length; i++) {
            int label = Byte.toUnsignedInt(labels[i]);
            if (label >= NUM_CLASSES) {
                throw new IllegalArgumentException(
                        source
                                + ": label "
                                + label
                                + " of example "
                                + i
                                + " is outside [0, "
                                + NUM_CLASSES
                                + ")");
            }
        }
        return new FashionMnist(pixels, labels);
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads an images file and a labels file. Does not close the streams.
     *
     * @param images an IDX images file (raw or gzip) of 28 × 28 images
     * @param labels an IDX labels file (raw or gzip) with as many labels, each in {@code [0, 10)}
     * @param source a name for messages
     * @return the data set
     * @throws IdxFormatException if a file is malformed or the two do not match
     * @throws IOException if reading fails
     */
    public static FashionMnist read(InputStream images, InputStream labels, String source)
            throws IOException {
        return read(images, source + " (images)", labels, source + " (labels)", source);
    }

    private static FashionMnist read(
            InputStream images,
            String imagesSource,
            InputStream labels,
            String labelsSource,
            String source)
            throws IOException {
        IdxReader.Images read = IdxReader.readImages(images, imagesSource);
        if (read.rows() != IMAGE_SIZE || read.cols() != IMAGE_SIZE) {
            throw new IdxFormatException(
                    imagesSource
                            + ": images are "
                            + read.rows()
                            + " x "
                            + read.cols()
                            + ", Fashion-MNIST images are "
                            + IMAGE_SIZE
                            + " x "
                            + IMAGE_SIZE);
        }
        byte[] labelBytes = IdxReader.readLabels(labels, labelsSource);
        if (labelBytes.length != read.count()) {
            throw new IdxFormatException(
                    source + ": " + read.count() + " images but " + labelBytes.length + " labels");
        }
        try {
            return validated(read.pixels(), labelBytes, labelsSource);
        } catch (IllegalArgumentException e) {
            throw new IdxFormatException(e.getMessage(), e);
        }
    }

    /**
     * Reads one part from a directory, preferring {@code name.gz} where both forms exist.
     *
     * @throws NoSuchFileException if the part's files are missing
     */
    public static FashionMnist read(Path directory, Part part) throws IOException {
        Path images = existing(directory, part.imagesFile());
        Path labels = existing(directory, part.labelsFile());
        try (InputStream imageStream = Files.newInputStream(images);
                InputStream labelStream = Files.newInputStream(labels)) {
            FashionMnist data =
                    read(
                            imageStream,
                            images.toString(),
                            labelStream,
                            labels.toString(),
                            directory.resolve(part.prefix + "-*").toString());
            logger.debug("Read {} Fashion-MNIST {} images from {}", data.size(), part, directory);
            return data;
        }
    }

    /**
     * Reads everything a directory holds: the test part, followed by the training part when its
     * files are present.
     *
     * @throws NoSuchFileException if the test part's files are missing
     */
    public static FashionMnist readDirectory(Path directory) throws IOException {
        FashionMnist test = read(directory, Part.TEST);
        Optional<Path> trainImages = find(directory, Part.TRAIN.imagesFile());
        Optional<Path> trainLabels = find(directory, Part.TRAIN.labelsFile());
        if (trainImages.isEmpty() && trainLabels.isEmpty()) {
            return test;
        }
        return test.concat(read(directory, Part.TRAIN));
    }

    /**
     * Reads one part from class-path resources ({@code folder/<name>.gz}, or without {@code .gz}).
     *
     * @param loader the class loader to look in
     * @param folder the resource folder, e.g. {@code io/motdjl/examples/fashion-mnist}
     * @param part which part
     * @throws NoSuchFileException if the resources are missing
     */
    public static FashionMnist readResources(ClassLoader loader, String folder, Part part)
            throws IOException {
        String base = folder.endsWith("/") ? folder : folder + "/";
        try (InputStream images = resource(loader, base + part.imagesFile());
                InputStream labels = resource(loader, base + part.labelsFile())) {
            return read(
                    images,
                    "classpath:" + base + part.imagesFile(),
                    labels,
                    "classpath:" + base + part.labelsFile(),
                    "classpath:" + base + part.prefix + "-*");
        }
    }

    /**
     * The Fashion-MNIST test split bundled in mot-djl-examples' resources: 10,000 images, 1,000 of
     * each class (MIT licence; see the folder's README).
     */
    public static FashionMnist bundled() throws IOException {
        return readResources(FashionMnist.class.getClassLoader(), BUNDLED_FOLDER, Part.TEST);
    }

    private static InputStream resource(ClassLoader loader, String name) throws IOException {
        InputStream in = loader.getResourceAsStream(name + ".gz");
        if (in == null) {
            in = loader.getResourceAsStream(name);
        }
        if (in == null) {
            throw new NoSuchFileException(
                    "classpath:" + name + "[.gz]", null, "Fashion-MNIST resource not found");
        }
        return in;
    }

    private static Path existing(Path directory, String name) throws NoSuchFileException {
        return find(directory, name)
                .orElseThrow(
                        () ->
                                new NoSuchFileException(
                                        directory.resolve(name) + "[.gz]",
                                        null,
                                        "Fashion-MNIST file not found"));
    }

    /**
     * The full set (70,000 images) in {@code directory} if all four of its files are there, so that
     * a half-installed folder is not silently taken for the whole set.
     *
     * @param directory where to look, e.g. {@link #DEBIAN_DIRECTORY}
     * @return the directory, or empty
     */
    public static Optional<Path> fullSetIn(Path directory) {
        for (Part part : Part.values()) {
            if (find(directory, part.imagesFile()).isEmpty()
                    || find(directory, part.labelsFile()).isEmpty()) {
                return Optional.empty();
            }
        }
        return Optional.of(directory);
    }

    private static Optional<Path> find(Path directory, String name) {
        Path gz = directory.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return Optional.of(gz);
        }
        Path raw = directory.resolve(name);
        return Files.isRegularFile(raw) ? Optional.of(raw) : Optional.empty();
    }

    // ---------------------------------------------------------------- access

    /** Number of examples. */
    public int size() {
        return labels.length;
    }

    /** A copy of image {@code i}: 784 unsigned bytes, row-major. */
    public byte[] image(int i) {
        Objects.checkIndex(i, size());
        return Arrays.copyOfRange(pixels, i * PIXELS, (i + 1) * PIXELS);
    }

    /**
     * The images as a read-only list (for {@code PatchKMeansTrainer.train} and {@code
     * ReconstructionReport.measure}): element {@code i} is {@link #image(int) image(i)}, a copy.
     */
    public List<byte[]> images() {
        return new ImageList();
    }

    private final class ImageList extends AbstractList<byte[]> implements RandomAccess {
        @Override
        public byte[] get(int index) {
            return image(index);
        }

        @Override
        public int size() {
            return FashionMnist.this.size();
        }
    }

    /** Pixel {@code (row, col)} of image {@code i}, in {@code [0, 255]}. */
    public int pixel(int i, int row, int col) {
        Objects.checkIndex(i, size());
        Objects.checkIndex(row, IMAGE_SIZE);
        Objects.checkIndex(col, IMAGE_SIZE);
        return Byte.toUnsignedInt(pixels[i * PIXELS + row * IMAGE_SIZE + col]);
    }

    /** Label of example {@code i}, in {@code [0, 10)}. */
    public int label(int i) {
        Objects.checkIndex(i, size());
        return labels[i];
    }

    /** Name of class {@code label}, as the data set's authors spell it ("Ankle boot"). */
    public static String className(int label) {
        Objects.checkIndex(label, NUM_CLASSES);
        return CLASS_NAMES.get(label);
    }

    /** Name of class {@code label} in lower case, as a caption would use it ("ankle boot"). */
    public static String captionName(int label) {
        return className(label).toLowerCase(Locale.ROOT);
    }

    /** Number of examples of each class. */
    public int[] classCounts() {
        int[] counts = new int[NUM_CLASSES];
        for (byte label : labels) {
            counts[label]++;
        }
        return counts;
    }

    // ---------------------------------------------------------------- subsets

    /** The examples at {@code indices}, in that order. */
    public FashionMnist select(int[] indices) {
        byte[] selectedPixels = new byte[indices.length * PIXELS];
        byte[] selectedLabels = new byte[indices.length];
        for (int j = 0; j < indices.length; j++) {
            int i = Objects.checkIndex(indices[j], size());
            System.arraycopy(pixels, i * PIXELS, selectedPixels, j * PIXELS, PIXELS);
            selectedLabels[j] = labels[i];
        }
        return new FashionMnist(selectedPixels, selectedLabels);
    }

    /** The first {@code n} examples (all of them if there are fewer). */
    public FashionMnist head(int n) {
        int count = Math.min(Math.max(n, 0), size());
        return new FashionMnist(
                Arrays.copyOf(pixels, count * PIXELS), Arrays.copyOf(labels, count));
    }

    /** This data set followed by {@code other}. */
    public FashionMnist concat(FashionMnist other) {
        byte[] joinedPixels = Arrays.copyOf(pixels, pixels.length + other.pixels.length);
        System.arraycopy(other.pixels, 0, joinedPixels, pixels.length, other.pixels.length);
        byte[] joinedLabels = Arrays.copyOf(labels, labels.length + other.labels.length);
        System.arraycopy(other.labels, 0, joinedLabels, labels.length, other.labels.length);
        return new FashionMnist(joinedPixels, joinedLabels);
    }

    /**
     * Splits off a held-out part chosen uniformly at random: the same seed gives the same split.
     * Both parts keep the original order of their examples.
     *
     * @param heldOutFraction fraction of examples held out, in {@code [0, 1]} (rounded to the
     *     nearest count)
     * @param seed the seed of the shuffle
     * @return the training and held-out parts
     */
    public Split split(double heldOutFraction, long seed) {
        if (!(heldOutFraction >= 0 && heldOutFraction <= 1)) {
            throw new IllegalArgumentException(
                    "heldOutFraction must be in [0, 1], got " + heldOutFraction);
        }
        return splitByCount((int) Math.round(heldOutFraction * size()), seed);
    }

    /**
     * Splits off {@code heldOutCount} examples chosen uniformly at random (a seeded Fisher-Yates
     * shuffle); the same seed gives the same split.
     */
    public Split splitByCount(int heldOutCount, long seed) {
        if (heldOutCount < 0 || heldOutCount > size()) {
            throw new IllegalArgumentException(
                    "heldOutCount must be in [0, " + size() + "], got " + heldOutCount);
        }
        int[] order = Seeds.permutation(size(), new Random(seed));
        int[] heldOut = Arrays.copyOfRange(order, 0, heldOutCount);
        int[] train = Arrays.copyOfRange(order, heldOutCount, order.length);
        Arrays.sort(heldOut);
        Arrays.sort(train);
        return new Split(select(train), select(heldOut));
    }

    @Override
    public String toString() {
        return "FashionMnist["
                + size()
                + " images, class counts "
                + Arrays.toString(classCounts())
                + "]";
    }
}
