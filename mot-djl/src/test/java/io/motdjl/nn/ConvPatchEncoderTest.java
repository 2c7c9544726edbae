package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * The conv patch encoder and decoder against convolutions written out by hand on the image the rows
 * make (so a wrong row order, layout or padding fails), their whole-image rule, and their
 * independence of what an image is batched with.
 */
class ConvPatchEncoderTest {

    private static final int SIDE = 6;
    private static final int PATCH = 2;
    private static final int GRID = SIDE / PATCH;
    private static final int ROWS = GRID * GRID;
    private static final int P = PATCH * PATCH;
    private static final int C = 3;
    private static final int D = 8;
    private static final int T = 50;
    private static final double TOLERANCE = 1e-4;

    @Test
    void adapterIsTheConvolutionsOfTheImageTheRowsMake() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ConvPatchAdapter adapter = adapter(manager);
            Random random = new Random(3);
            float[] rows = gaussian(random, 2 * ROWS * P);
            long[] steps = new long[2 * ROWS];
            for (int r = 0; r < steps.length; r++) {
                steps[r] = r < ROWS ? 7 : 31;
            }
            NDArray out =
                    adapter.embed(
                            new ParameterStore(manager, false),
                            inputs(manager, rows, steps, 1, 2 * ROWS),
                            null,
                            false);
            assertEquals(new Shape(2 * ROWS, D), out.getShape());
            float[] time =
                    adapter.timestepEmbedding()
                            .forward(
                                    new ParameterStore(manager, false),
                                    new NDList(manager.create(steps)),
                                    false)
                            .singletonOrThrow()
                            .toFloatArray();
            float[] actual = out.toFloatArray();
            for (int image = 0; image < 2; image++) {
                float[][][] pixels = {imageOf(rows, image)};
                float[][][] x = silu(conv3(pixels, adapter.convIn()));
                x = silu(conv3(x, adapter.convMid()));
                float[] w = values(adapter.patchify(), "weight");
                float[] b = values(adapter.patchify(), "bias");
                for (int gy = 0; gy < GRID; gy++) {
                    for (int gx = 0; gx < GRID; gx++) {
                        int row = image * ROWS + gy * GRID + gx;
                        for (int o = 0; o < D; o++) {
                            double sum = b[o] + time[row * D + o];
                            for (int i = 0; i < C; i++) {
                                for (int py = 0; py < PATCH; py++) {
                                    for (int px = 0; px < PATCH; px++) {
                                        sum +=
                                                w[((o * C + i) * PATCH + py) * PATCH + px]
                                                        * x[i][gy * PATCH + py][gx * PATCH + px];
                                    }
                                }
                            }
                            assertEquals(
                                    sum,
                                    actual[row * D + o],
                                    TOLERANCE,
                                    "image " + image + ", row " + row + ", unit " + o);
                        }
                    }
                }
            }
        }
    }

    @Test
    void headIsTheTransposedConvolutionsCutIntoRows() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ConvNoiseHead head = head(manager);
            Random random = new Random(4);
            float[] hidden = gaussian(random, 2 * ROWS * D);
            NDArray out =
                    head.project(
                            new ParameterStore(manager, false),
                            manager.create(hidden, new Shape(2 * ROWS, D)),
                            false);
            assertEquals(new Shape(2 * ROWS, P), out.getShape());
            assertEquals(NoiseHead.OUTPUT, head.outputName());
            assertEquals(P, head.outputWidth());
            float[] actual = out.toFloatArray();
            float[] w = values(head.unpatchify(), "weight"); // [D, C, p, p]
            float[] b = values(head.unpatchify(), "bias");
            for (int image = 0; image < 2; image++) {
                float[][][] x = new float[C][SIDE][SIDE];
                for (int c = 0; c < C; c++) {
                    for (int y = 0; y < SIDE; y++) {
                        for (int xx = 0; xx < SIDE; xx++) {
                            int row = image * ROWS + (y / PATCH) * GRID + xx / PATCH;
                            double sum = b[c];
                            for (int d = 0; d < D; d++) {
                                sum +=
                                        w[((d * C + c) * PATCH + y % PATCH) * PATCH + xx % PATCH]
                                                * hidden[row * D + d];
                            }
                            x[c][y][xx] = (float) sum;
                        }
                    }
                }
                x = silu(x);
                x = silu(conv3(x, head.convMid()));
                x = conv3(x, head.convOut());
                for (int y = 0; y < SIDE; y++) {
                    for (int xx = 0; xx < SIDE; xx++) {
                        int row = image * ROWS + (y / PATCH) * GRID + xx / PATCH;
                        int inside = (y % PATCH) * PATCH + xx % PATCH;
                        assertEquals(
                                x[0][y][xx],
                                actual[row * P + inside],
                                TOLERANCE,
                                "image " + image + ", pixel (" + y + ", " + xx + ")");
                    }
                }
            }
        }
    }

    @Test
    void anImageGivesTheSameRowsAloneAndInABatch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ConvPatchAdapter adapter = adapter(manager);
            ConvNoiseHead head = head(manager);
            ParameterStore ps = new ParameterStore(manager, false);
            Random random = new Random(5);
            float[] rows = gaussian(random, 2 * ROWS * P);
            long[] steps = new long[2 * ROWS];
            for (int r = 0; r < steps.length; r++) {
                steps[r] = r < ROWS ? 3 : 40;
            }
            // two images as two sequences, and as one sequence of two images
            float[] two =
                    adapter.embed(ps, inputs(manager, rows, steps, 2, ROWS), null, false)
                            .toFloatArray();
            float[] oneRow =
                    adapter.embed(ps, inputs(manager, rows, steps, 1, 2 * ROWS), null, false)
                            .toFloatArray();
            assertArrayEquals(two, oneRow, 1e-5f);
            NDArray hidden = manager.create(gaussian(random, 2 * ROWS * D), new Shape(2 * ROWS, D));
            float[] both = head.project(ps, hidden, false).toFloatArray();
            for (int image = 0; image < 2; image++) {
                float[] imageRows = slice(rows, image * ROWS * P, ROWS * P);
                long[] imageSteps = new long[ROWS];
                System.arraycopy(steps, image * ROWS, imageSteps, 0, ROWS);
                float[] alone =
                        adapter.embed(
                                        ps,
                                        inputs(manager, imageRows, imageSteps, 1, ROWS),
                                        null,
                                        false)
                                .toFloatArray();
                assertArrayEquals(slice(two, image * ROWS * D, ROWS * D), alone, 1e-5f);
                float[] headAlone =
                        head.project(ps, hidden.get(image * ROWS + ":" + (image + 1) * ROWS), false)
                                .toFloatArray();
                assertArrayEquals(slice(both, image * ROWS * P, ROWS * P), headAlone, 1e-5f);
            }
        }
    }

    @Test
    void swappingTwoPatchesIsNotJustSwappingTheirRows() {
        // a row's hidden state sees its neighbours across patch borders (two 3x3 convolutions: 2
        // pixels around): the conv encoder is no per-row map, and it reads the rows in grid order
        int side = 12;
        int grid = side / PATCH;
        int rows = grid * grid;
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(14);
            ConvPatchAdapter adapter = new ConvPatchAdapter(side, PATCH, C, D, T);
            adapter.initialize(manager, DataType.FLOAT32, new Shape(1, rows));
            ParameterStore ps = new ParameterStore(manager, false);
            float[] patches = gaussian(new Random(6), rows * P);
            long[] steps = new long[rows];
            float[] swapped = patches.clone();
            System.arraycopy(patches, 0, swapped, (rows - 1) * P, P);
            System.arraycopy(patches, (rows - 1) * P, swapped, 0, P);
            float[] a =
                    adapter.embed(ps, inputs(manager, patches, steps, 1, rows), null, false)
                            .toFloatArray();
            float[] b =
                    adapter.embed(ps, inputs(manager, swapped, steps, 1, rows), null, false)
                            .toFloatArray();
            double moved = maxAbsDiff(slice(a, 0, D), slice(b, (rows - 1) * D, D));
            assertTrue(moved > 1e-3, "the corner patch's state moved with it unchanged: " + moved);
            // patch (2, 2) covers pixels 4..5, sees 2..7: neither swapped corner (0..1, 10..11)
            int far = 2 * grid + 2;
            assertArrayEquals(slice(a, far * D, D), slice(b, far * D, D), 1e-6f);
            // patch (1, 1) covers pixels 2..3, sees 0..5: the top-left corner changed under it
            int near = grid + 1;
            assertTrue(maxAbsDiff(slice(a, near * D, D), slice(b, near * D, D)) > 1e-4);
        }
    }

    @Test
    void partialImagesAreRefusedSayingWhatCame() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ConvPatchAdapter adapter = adapter(manager);
            ConvNoiseHead head = head(manager);
            ParameterStore ps = new ParameterStore(manager, false);
            float[] rows = gaussian(new Random(8), (ROWS + 1) * P);
            IllegalArgumentException partial =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    adapter.embed(
                                            ps,
                                            inputs(manager, rows, new long[ROWS + 1], 1, ROWS + 1),
                                            null,
                                            false));
            assertTrue(
                    partial.getMessage().contains("needs whole images")
                            && partial.getMessage().contains("got " + (ROWS + 1) + " image rows")
                            && partial.getMessage().contains("multiple of " + ROWS),
                    partial.getMessage());
            // a whole number of rows that are not one image's consecutive positions
            MoTInputs in = inputs(manager, rows, new long[ROWS + 1], 1, ROWS + 1);
            long[] skipping = new long[ROWS];
            for (int i = 0; i < ROWS; i++) {
                skipping[i] = i < 2 ? i : i + 1;
            }
            IllegalArgumentException gap =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> adapter.embed(ps, in, manager.create(skipping), false));
            assertTrue(
                    gap.getMessage().contains("needs whole images")
                            && gap.getMessage().contains("consecutive positions"),
                    gap.getMessage());
            IllegalArgumentException headPartial =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> head.project(ps, manager.zeros(new Shape(ROWS - 1, D)), false));
            assertTrue(
                    headPartial.getMessage().contains("conv noise head needs whole images"),
                    headPartial.getMessage());
            // the checks the linear adapter makes, made the same way
            float[] bad = gaussian(new Random(9), ROWS * P);
            bad[5] = Float.NaN;
            IllegalArgumentException nan =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    adapter.embed(
                                            ps,
                                            inputs(manager, bad, new long[ROWS], 1, ROWS),
                                            null,
                                            false));
            assertTrue(nan.getMessage().contains("non-finite"), nan.getMessage());
            long[] late = new long[ROWS];
            late[2] = T;
            IllegalArgumentException step =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    adapter.embed(
                                            ps,
                                            inputs(
                                                    manager,
                                                    gaussian(new Random(1), ROWS * P),
                                                    late,
                                                    1,
                                                    ROWS),
                                            null,
                                            false));
            assertTrue(
                    step.getMessage().contains("outside the schedule's [0, " + T + ")"),
                    step.getMessage());
        }
    }

    @Test
    void transposedConvolutionLaysEachPixelOutAsOneBlock() {
        try (NDManager manager = NDManager.newBaseManager()) {
            PatchConvTranspose up = new PatchConvTranspose(2, 3, 2);
            up.initialize(manager, DataType.FLOAT32, new Shape(1, 2, 2, 2));
            assertEquals(new Shape(2, 3, 2, 2), up.weight().getArray().getShape());
            Random random = new Random(10);
            float[] input = gaussian(random, 2 * 2 * 2 * 2); // (N=2, C_in=2, 2, 2)
            NDArray out =
                    up.forward(
                                    new ParameterStore(manager, false),
                                    new NDList(manager.create(input, new Shape(2, 2, 2, 2))),
                                    false)
                            .singletonOrThrow();
            assertEquals(new Shape(2, 3, 4, 4), out.getShape());
            float[] w = up.weight().getArray().toFloatArray();
            float[] b = up.bias().getArray().toFloatArray();
            float[] actual = out.toFloatArray();
            for (int n = 0; n < 2; n++) {
                for (int o = 0; o < 3; o++) {
                    for (int y = 0; y < 4; y++) {
                        for (int x = 0; x < 4; x++) {
                            double sum = b[o];
                            for (int i = 0; i < 2; i++) {
                                sum +=
                                        input[((n * 2 + i) * 2 + y / 2) * 2 + x / 2]
                                                * w[((i * 3 + o) * 2 + y % 2) * 2 + x % 2];
                            }
                            assertEquals(sum, actual[((n * 3 + o) * 4 + y) * 4 + x], 1e-5);
                        }
                    }
                }
            }
        }
    }

    private static ConvPatchAdapter adapter(NDManager manager) {
        Engine.getInstance().setRandomSeed(11);
        ConvPatchAdapter adapter = new ConvPatchAdapter(SIDE, PATCH, C, D, T);
        adapter.initialize(manager, DataType.FLOAT32, new Shape(1, ROWS));
        randomizeBiases(adapter, manager);
        return adapter;
    }

    private static ConvNoiseHead head(NDManager manager) {
        Engine.getInstance().setRandomSeed(12);
        ConvNoiseHead head = new ConvNoiseHead(D, SIDE, PATCH, C);
        head.initialize(manager, DataType.FLOAT32, new Shape(ROWS, D));
        randomizeBiases(head, manager);
        return head;
    }

    /** Biases start at zero; a hand computation that got them wrong must fail too. */
    private static void randomizeBiases(Block block, NDManager manager) {
        Random random = new Random(13);
        block.getParameters()
                .forEach(
                        p -> {
                            if (p.getKey().endsWith("bias")) {
                                NDArray array = p.getValue().getArray();
                                array.set(
                                        manager.create(
                                                        gaussian(random, (int) array.size()),
                                                        array.getShape())
                                                .mul(0.1f)
                                                .toFloatArray());
                            }
                        });
    }

    private static MoTInputs inputs(
            NDManager manager, float[] rows, long[] steps, int batch, int length) {
        Shape shape = new Shape(batch, length);
        long[] modalities = new long[batch * length];
        java.util.Arrays.fill(modalities, 1);
        return MoTInputs.of(manager.zeros(shape, DataType.INT64), manager.create(modalities, shape))
                .withExtra(PatchAdapter.PATCHES, manager.create(rows, shape.add(P)))
                .withExtra(PatchAdapter.TIMESTEPS, manager.create(steps, shape));
    }

    /** Image {@code index}'s pixels from row-major patch rows, row-major patches. */
    private static float[][] imageOf(float[] rows, int index) {
        float[][] pixels = new float[SIDE][SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int row = index * ROWS + (y / PATCH) * GRID + x / PATCH;
                pixels[y][x] = rows[row * P + (y % PATCH) * PATCH + x % PATCH];
            }
        }
        return pixels;
    }

    /** A 3×3 cross-correlation with zero padding 1, weight [out, in, 3, 3], plus bias. */
    private static float[][][] conv3(float[][][] in, Block conv) {
        float[] w = values(conv, "weight");
        float[] b = values(conv, "bias");
        int channelsIn = in.length;
        int channelsOut = b.length;
        float[][][] out = new float[channelsOut][SIDE][SIDE];
        for (int o = 0; o < channelsOut; o++) {
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    double sum = b[o];
                    for (int i = 0; i < channelsIn; i++) {
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int sy = y + ky - 1;
                                int sx = x + kx - 1;
                                if (sy >= 0 && sy < SIDE && sx >= 0 && sx < SIDE) {
                                    sum +=
                                            w[((o * channelsIn + i) * 3 + ky) * 3 + kx]
                                                    * in[i][sy][sx];
                                }
                            }
                        }
                    }
                    out[o][y][x] = (float) sum;
                }
            }
        }
        return out;
    }

    private static float[][][] silu(float[][][] x) {
        float[][][] out = new float[x.length][SIDE][SIDE];
        for (int c = 0; c < x.length; c++) {
            for (int y = 0; y < SIDE; y++) {
                for (int i = 0; i < SIDE; i++) {
                    double v = x[c][y][i];
                    out[c][y][i] = (float) (v / (1 + Math.exp(-v)));
                }
            }
        }
        return out;
    }

    private static float[] values(Block block, String name) {
        return block.getParameters().get(name).getArray().toFloatArray();
    }

    private static float[] gaussian(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }

    private static float[] slice(float[] a, int from, int n) {
        return java.util.Arrays.copyOfRange(a, from, from + n);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
