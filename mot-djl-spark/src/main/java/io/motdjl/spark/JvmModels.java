package io.motdjl.spark;

import ai.djl.MalformedModelException;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models of this JVM: each (source, input type, output type) is loaded once, on first use, and
 * shared by every Spark task of the JVM (the tasks of one executor are threads of one JVM, each
 * with its own {@code Predictor}). The models are closed by {@link #closeAll} or, failing that, by
 * a shutdown hook, since executors get no other signal that the job is over.
 */
public final class JvmModels {

    private static final Logger logger = LoggerFactory.getLogger(JvmModels.class);

    private static final Map<Key, ZooModel<?, ?>> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();
    private static final AtomicBoolean HOOK = new AtomicBoolean();

    private JvmModels() {}

    /** What a model is loaded for. */
    private record Key(ModelSource source, Class<?> input, Class<?> output) {}

    /**
     * The model of this JVM for a source and types, loaded on first use.
     *
     * @param source where the model comes from
     * @param input the input type
     * @param output the output type
     * @param <I> the input type
     * @param <O> the output type
     * @return the shared model; callers make predictors and never close it
     * @throws IllegalStateException if the model cannot be loaded (the cause says why)
     */
    @SuppressWarnings("unchecked")
    public static <I, O> ZooModel<I, O> get(ModelSource source, Class<I> input, Class<O> output) {
        // computeIfAbsent holds the key's bin while loading: concurrent tasks wait, load once
        return (ZooModel<I, O>)
                MODELS.computeIfAbsent(new Key(source, input, output), JvmModels::load);
    }

    /**
     * Number of models this JVM has loaded since it started.
     *
     * @return the count
     */
    public static int loadCount() {
        return LOADS.get();
    }

    /**
     * Number of models this JVM holds loaded now.
     *
     * @return the count
     */
    public static int openCount() {
        return MODELS.size();
    }

    /** Closes every model of this JVM; a later {@link #get} loads again. */
    public static synchronized void closeAll() {
        List<ZooModel<?, ?>> open = new ArrayList<>(MODELS.values());
        MODELS.clear();
        for (ZooModel<?, ?> model : open) {
            model.close();
        }
        if (!open.isEmpty()) {
            logger.debug("closed {} model(s)", open.size());
        }
    }

    private static ZooModel<?, ?> load(Key key) {
        if (HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(JvmModels::closeAll, "mot-models-close"));
        }
        long start = System.nanoTime();
        try {
            ZooModel<?, ?> model = key.source().criteria(key.input(), key.output()).loadModel();
            LOADS.incrementAndGet();
            logger.info(
                    "loaded {} for ({}, {}) in {} ms",
                    key.source(),
                    key.input().getSimpleName(),
                    key.output().getSimpleName(),
                    (System.nanoTime() - start) / 1_000_000);
            return model;
        } catch (ModelNotFoundException | MalformedModelException | IOException e) {
            throw new IllegalStateException("cannot load " + key.source() + ": " + e, e);
        }
    }
}
