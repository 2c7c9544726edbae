package io.motdjl.zoo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Tiny models, inputs and file surgery for fast tests. */
final class Tiny {

    /** Text tokens [0, 20), image tokens [20, 37). */
    static final long[][] RANGES = {{0, 20}, {20, 37}};

    private Tiny() {}

    static MoTConfig config() {
        return MoTConfig.builder()
                .vocabSize(37)
                .dim(16)
                .nLayers(2)
                .nHeads(4)
                .ffnHiddenDim(24)
                .nModalities(2)
                .modalityTokenRanges(RANGES)
                .maxSeqLen(12)
                .build();
    }

    /** An initialised model with seeded random weights (norm scales drawn around one). */
    static MoTModel model(MoTConfig config, NDManager manager) {
        Engine.getInstance().setRandomSeed(1234);
        MoTModel model = new MoTModel(config);
        model.setInitializer(
                (m, shape, dataType) -> m.randomUniform(0.7f, 1.3f, shape, dataType),
                Parameter.Type.GAMMA);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1));
        return model;
    }

    /** Fixed tokens (B=2, T=7) that respect {@link #RANGES}, with their modalities. */
    static MoTInputs inputs(NDManager manager) {
        long[] tokens = {1, 5, 22, 30, 21, 3, 2, 4, 25, 26, 27, 9, 11, 12};
        long[] modalities = new long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            modalities[i] = tokens[i] >= 20 ? 1 : 0;
        }
        return MoTInputs.of(
                manager.create(tokens, new Shape(2, 7)),
                manager.create(modalities, new Shape(2, 7)));
    }

    static NDArray logits(MoTModel model, NDManager manager, MoTInputs inputs) {
        NDList out = model.forward(new ParameterStore(manager, false), inputs.toNDList(), false);
        return out.singletonOrThrow();
    }

    static double maxAbsDiff(NDArray a, NDArray b) {
        return a.toType(DataType.FLOAT64, false)
                .sub(b.toType(DataType.FLOAT64, false))
                .abs()
                .max()
                .getDouble();
    }

    static void forceGarbageCollection() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Keeps the first {@code keep} bytes of a file. */
    static void truncate(Path file, long keep) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, (int) keep));
    }

    /** Flips one bit of a byte near the end of a file (inside the last tensor's data). */
    static void flipByteNearEnd(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 5] ^= 0x10;
        Files.write(file, bytes);
    }

    /** A random token sequence of {@code length} over the tiny vocabulary. */
    static int[] tokens(Random random, int length) {
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = random.nextInt(37);
        }
        return tokens;
    }
}
