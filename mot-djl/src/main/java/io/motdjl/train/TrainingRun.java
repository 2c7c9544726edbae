package io.motdjl.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.TrainingDivergedException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.SequenceSampler;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.util.ProgressBar;
import ai.djl.translate.TranslateException;
import ai.djl.util.Pair;

import io.motdjl.config.MoTConfig;
import io.motdjl.data.EpochShuffleSampler;
import io.motdjl.data.TokenSequenceDataset;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.ModalityLosses;
import io.motdjl.objective.ObjectiveLoss;
import io.motdjl.objective.PreparedBatch;
import io.motdjl.util.Seeds;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Trains a {@link MoTModel} on DJL's {@link Trainer}: an {@link io.motdjl.objective.Objective}
 * (next-token loss by default) as a DJL loss ({@link ObjectiveLoss}), {@link ResumableAdamW} with a
 * {@link WarmupCosineTracker}, global-norm gradient clipping, a seeded data order that wraps around
 * epochs, per-modality logging, held-out evaluation, FLOPs accounting and exact checkpoint/resume.
 *
 * <pre>{@code
 * try (TrainingRun run = TrainingRun.start(config, settings, trainData)) {
 *     run.every(100, (r, report) -> log(r.step(), r.evaluate(heldOut)));
 *     run.trainToEnd();
 *     run.saveCheckpoint(dir);
 * }
 * try (TrainingRun run = TrainingRun.resume(dir, trainData)) { ... }
 * }</pre>
 *
 * <p><b>Reproducible.</b> The seed fixes the initialisation, the data order ({@link
 * EpochShuffleSampler}, which depends on the seed alone, so a MoT and its dense twin see the same
 * batches) and, re-seeded from (seed, step) before every step, the engine's random generator. The
 * same seed gives the same losses and weights bit for bit on CPU, and a run resumed from a
 * checkpoint continues exactly as if it had not stopped.
 *
 * <p><b>A step.</b> Seed the engine; take the next batch; split its rows into one block per device
 * ({@link RunOptions#devices}); inside one gradient collector, for each block in turn, forward on
 * its device and loss; weigh the blocks' losses by their share of the batch's items (target tokens,
 * images) and backward each; measure the global norm of the summed gradient and clip; update
 * through DJL's parameter server (it sums the devices' gradients on the first device and hands the
 * sum to the optimizer, which updates every parameter, copies it to the other devices and zeroes
 * the gradients); notify DJL listeners with a {@link StepData}. Every array made in the step
 * belongs to the batch's manager or to a scratch manager and is closed by the end of the step.
 *
 * <p><b>Several devices.</b> Data parallel on one host, on DJL's own machinery: its {@link
 * ai.djl.training.ParameterStore} keeps a copy of every parameter per device and its {@code
 * LocalParameterServer} sums the gradients. The blocks run one after another on the calling thread
 * (libtorch queues GPU work asynchronously, so devices still overlap). A step on N devices computes
 * the same update as on one device, up to float rounding, with two exceptions: a mixture of
 * experts' auxiliary losses and expert-choice routing are computed per block, as in every
 * data-parallel trainer. Evaluation runs on the first device.
 *
 * <p><b>Limits.</b> Float32 weights; not thread-safe. After an exception from {@link #train} (e.g.
 * {@link TrainingDivergedException}) the run is mid-step: resume from a checkpoint rather than
 * training on.
 */
public final class TrainingRun implements AutoCloseable {

    /** The {@link Seeds} stream of the engine seed set before each step. */
    private static final long ENGINE_SEED_STREAM = 0x53544550L; // "STEP"

    private static final long PREPARE_SEED_STREAM = 0x50524550L; // "PREP"
    private static final long HELD_OUT_SEED = 0x48454c44L; // "HELD"

    private static final Logger logger = LoggerFactory.getLogger(TrainingRun.class);
    private static final String MODEL_NAME = "mot";

    private final MoTConfig config;
    private final TrainingSettings settings;
    private final RunOptions options;
    private final Model model;
    private final MoTModel block;
    private final ResumableAdamW optimizer;
    private final ObjectiveLoss loss;
    private final Trainer trainer;
    private final WarmupCosineTracker schedule;
    private final FlopsAccounting flops;
    private final DeviceReplicas replicas;
    private final BatchStream stream;
    private final List<Pair<Integer, StepCallback>> callbacks = new ArrayList<>();
    private int step;
    private long totalTokens;
    private double totalTrainingFlops;

    private TrainingRun(
            MoTConfig config,
            TrainingSettings settings,
            RunOptions options,
            Dataset trainData,
            TrainingCheckpoint resumeFrom,
            Path checkpointDir)
            throws IOException {
        this.config = config;
        this.settings = settings;
        this.options = options;
        Device device = options.device();
        requireAvailable(options.devices());
        this.schedule = settings.learningRateSchedule();
        this.flops = FlopsAccounting.of(config);
        // the objective and the data first: a mismatch fails before anything needs closing
        this.loss = new ObjectiveLoss(options.objective(config));
        if (trainData instanceof TokenSequenceDataset sequences
                && sequences.maxLength() > config.maxSeqLen()) {
            throw new IllegalArgumentException(
                    "the training data's longest sequence has "
                            + sequences.maxLength()
                            + " tokens but the model's max_seq_len is "
                            + config.maxSeqLen());
        }
        this.optimizer = settings.optimizer();
        Model djlModel = Model.newInstance(MODEL_NAME, device);
        try {
            djlModel.setDataType(DataType.FLOAT32);
            this.block = options.model(config);
            djlModel.setBlock(block);
            // initialise (seeded) before the trainer exists: loading weights replaces the
            // parameter arrays, and the trainer's parameter store must see the final ones
            Engine.getInstance().setRandomSeed(settings.seed());
            ReferenceCheckpoint.initialize(block, djlModel.getNDManager(), DataType.FLOAT32);
            if (checkpointDir != null) {
                TrainingCheckpoint.loadWeights(checkpointDir, block);
            }
            this.trainer = djlModel.newTrainer(trainingConfig(device));
            trainer.initialize(new Shape(1, 1), new Shape(1, 1));
            if (checkpointDir != null) {
                TrainingCheckpoint.loadOptimizer(checkpointDir, optimizer, block, device);
            }
            // after the weights are final: the other devices get copies of them
            this.replicas =
                    new DeviceReplicas(
                            block, djlModel.getNDManager(), options.devices(), optimizer);
        } catch (IOException | RuntimeException e) {
            optimizer.close();
            djlModel.close();
            throw e;
        }
        this.model = djlModel;
        DataPosition start = DataPosition.START;
        if (resumeFrom != null) {
            step = resumeFrom.step();
            start = resumeFrom.position();
            totalTokens = resumeFrom.totalTokens();
            totalTrainingFlops = resumeFrom.totalTrainingFlops();
        }
        this.stream =
                new BatchStream(
                        trainData,
                        trainer.getManager(),
                        settings.seed(),
                        settings.batchSize(),
                        settings.dropLastBatch(),
                        start);
        logger.info(
                "{} MoT run at step {} on {}: {}",
                resumeFrom == null ? "starting" : "resuming",
                step,
                options.devices().size() == 1 ? device : options.devices(),
                flops.describe(config.maxSeqLen()));
    }

    /** Refuses a GPU this machine does not have before libtorch is asked for it. */
    private static void requireAvailable(List<Device> devices) {
        int gpus = Engine.getInstance().getGpuCount();
        for (Device d : devices) {
            if (d.isGpu() && d.getDeviceId() >= gpus) {
                throw new IllegalArgumentException(
                        "cannot train on "
                                + d
                                + ": this machine has "
                                + gpus
                                + " GPU(s) visible to "
                                + Engine.getInstance().getEngineName());
            }
        }
    }

    /**
     * The trainer runs evaluation and listeners on the first device; training has its own store.
     */
    private DefaultTrainingConfig trainingConfig(Device device) {
        DefaultTrainingConfig trainingConfig =
                new DefaultTrainingConfig(loss)
                        .optOptimizer(optimizer)
                        .optDevices(new Device[] {device});
        if (options.logEvery() > 0) {
            trainingConfig.addTrainingListeners(
                    new TrainingLogListener(options.logEvery(), options.modalityNames()));
        }
        trainingConfig.addTrainingListeners(options.listeners().toArray(new TrainingListener[0]));
        return trainingConfig;
    }

    /** A new run of a freshly initialised model, with default {@link RunOptions}. */
    public static TrainingRun start(MoTConfig config, TrainingSettings settings, Dataset trainData)
            throws IOException {
        return start(config, settings, trainData, RunOptions.defaults());
    }

    /**
     * A new run of a freshly initialised model.
     *
     * @param config the model
     * @param settings seed, batch size, schedule, optimizer, clipping
     * @param trainData batches in the training layout (see the package notes)
     * @param options device, logging, progress bar, extra listeners
     * @return the run, at step 0
     * @throws IOException if the model cannot be set up
     */
    public static TrainingRun start(
            MoTConfig config, TrainingSettings settings, Dataset trainData, RunOptions options)
            throws IOException {
        return new TrainingRun(
                Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(settings, "settings"),
                Objects.requireNonNull(options, "options"),
                Objects.requireNonNull(trainData, "trainData"),
                null,
                null);
    }

    /** Continues a run from a checkpoint, with default {@link RunOptions}. */
    public static TrainingRun resume(Path checkpointDir, Dataset trainData) throws IOException {
        return resume(checkpointDir, trainData, RunOptions.defaults());
    }

    /**
     * Continues a run from a checkpoint written by {@link #saveCheckpoint}: the config, settings,
     * weights, optimizer state, step and data position are restored, so training continues as if it
     * had never stopped (given the same training data).
     *
     * @param checkpointDir the checkpoint directory
     * @param trainData the same training data as the saved run's
     * @param options device, logging, progress bar, extra listeners
     * @return the run, at the saved step
     * @throws IOException if the checkpoint cannot be read
     * @throws io.motdjl.io.CheckpointException if the checkpoint is malformed
     */
    public static TrainingRun resume(Path checkpointDir, Dataset trainData, RunOptions options)
            throws IOException {
        TrainingCheckpoint saved = TrainingCheckpoint.read(checkpointDir);
        return new TrainingRun(
                saved.config(),
                saved.settings(),
                Objects.requireNonNull(options, "options"),
                Objects.requireNonNull(trainData, "trainData"),
                saved,
                checkpointDir);
    }

    /**
     * Calls {@code callback} after every step whose number is a multiple of {@code everySteps}
     * (numbers count from the run's start, so a resumed run keeps the same schedule).
     *
     * @return this run
     */
    public TrainingRun every(int everySteps, StepCallback callback) {
        if (everySteps < 1) {
            throw new IllegalArgumentException("everySteps must be positive, got " + everySteps);
        }
        callbacks.add(new Pair<>(everySteps, Objects.requireNonNull(callback, "callback")));
        return this;
    }

    /**
     * Trains {@code steps} more steps (epochs wrap around the data).
     *
     * @return a report per step
     * @throws IOException if reading data or a callback fails
     * @throws TranslateException if the dataset fails to produce a batch
     * @throws TrainingDivergedException if the loss or the gradient norm is not finite
     */
    public List<StepReport> train(int steps) throws IOException, TranslateException {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        List<StepReport> reports = new ArrayList<>(steps);
        ProgressBar bar =
                options.progressBar() && steps > 1 ? new ProgressBar("Training", steps) : null;
        for (int i = 0; i < steps; i++) {
            StepReport report = trainStep();
            reports.add(report);
            if (bar != null) {
                bar.update(
                        i,
                        String.format(
                                Locale.ROOT, "step %d, loss %.4f", report.step(), report.loss()));
            }
            for (Pair<Integer, StepCallback> c : callbacks) {
                if (report.step() % c.getKey() == 0) {
                    c.getValue().afterStep(this, report);
                }
            }
        }
        return reports;
    }

    /** Trains until the step count reaches {@link TrainingSettings#totalSteps()}. */
    public List<StepReport> trainToEnd() throws IOException, TranslateException {
        return train(Math.max(0, settings.totalSteps() - step));
    }

    /**
     * Refuses a model that reports auxiliary losses (a token-choice mixture of experts' load
     * balancing, say) to an objective that would not add them, before any update.
     */
    private void requireAuxiliaryLossesWeighed(NDList predictions) {
        Set<String> reported = MoTOutputs.of(predictions).auxiliaryLosses().keySet();
        if (!reported.isEmpty() && !loss.objective().weighsAuxiliaryLosses()) {
            throw new IllegalArgumentException(
                    "the model reports auxiliary losses "
                            + reported
                            + " but the objective "
                            + loss.objective()
                            + " does not add them, so training would drop them; wrap it:"
                            + " WithAuxiliaryLosses.forModel(objective, config)");
        }
    }

    private StepReport trainStep() throws IOException, TranslateException {
        long begin = System.nanoTime();
        int stepNumber = step + 1;
        // a per-step seed makes any randomness in the step independent of what ran before, so a
        // resumed run draws the same numbers without access to libtorch's generator state
        Engine.getInstance().setRandomSeed(stepSeed(settings.seed(), stepNumber));
        int epochBefore = stream.position().epoch();
        try (Batch batch = stream.next()) {
            int epoch = stream.position().epoch();
            if (epoch != epochBefore) {
                trainer.notifyListeners(listener -> listener.onEpoch(trainer));
            }
            BatchLayout.check(
                    batch.getData(), batch.getLabels(), loss.objective().allowsImageSpans());
            PreparedBatch prepared =
                    loss.objective()
                            .prepare(
                                    batch.getData(),
                                    batch.getLabels(),
                                    Seeds.mix(settings.seed(), PREPARE_SEED_STREAM, stepNumber));
            NDList data = prepared.data();
            NDList labels = prepared.labels();
            List<BatchBlocks.Block> blocks =
                    BatchBlocks.split(data, labels, replicas.devices(), options.blocksPerDevice());
            List<NDList> predictions = new ArrayList<>(blocks.size());
            List<LossValue> values = new ArrayList<>(blocks.size());
            List<ModalityLosses> blockLosses = new ArrayList<>(blocks.size());
            float lossValue;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                for (BatchBlocks.Block b : blocks) {
                    // the block's device picks the parameter copies it runs with
                    NDList p = block.forward(replicas.store(), b.data(), b.labels(), null);
                    predictions.add(p);
                    requireAuxiliaryLossesWeighed(p);
                    values.add(loss.evaluateValue(b.labels(), p));
                    // the host copy the loss has just made: no second device sync
                    blockLosses.add(loss.lastEvaluation());
                }
                BlockLosses weighted = BlockLosses.of(values);
                for (int i = 0; i < blocks.size(); i++) {
                    if (weighted.loss(i) != null) {
                        collector.backward(weighted.loss(i));
                    }
                }
                lossValue = (float) weighted.total();
            }
            if (!Float.isFinite(lossValue)) {
                throw new TrainingDivergedException(
                        "the training loss at step " + stepNumber + " is " + lossValue);
            }
            double gradNorm = clipGradients();
            replicas.update();
            step = stepNumber;
            int length = BatchLayout.sequenceLength(data);
            long[] tokensPerModality =
                    BatchLayout.realTokensPerModality(data, labels, config.nModalities());
            long tokens = java.util.Arrays.stream(tokensPerModality).sum();
            totalTokens += tokens;
            totalTrainingFlops += flops.trainingFlops(tokensPerModality, length);
            double[] tokenShares = tokenShares(blocks, tokens);
            StepReport report =
                    new StepReport(
                            stepNumber,
                            epoch,
                            lossValue,
                            blockLosses.stream().reduce(ModalityLosses::plus).orElseThrow(),
                            schedule.getNewValue(stepNumber),
                            gradNorm,
                            GlobalNormClipping.clips(gradNorm, settings.maxGradNorm()),
                            tokens,
                            length,
                            totalTokens,
                            totalTrainingFlops,
                            System.nanoTime() - begin,
                            BlockOutputs.auxiliaryValues(predictions, tokenShares),
                            BlockOutputs.statisticValues(predictions, tokenShares));
            // DJL's listeners take one block per device
            Map<Device, NDList> labelsByDevice = new LinkedHashMap<>();
            Map<Device, NDList> predictionsByDevice = new LinkedHashMap<>();
            for (int i = 0; i < blocks.size(); i++) {
                labelsByDevice.put(blocks.get(i).device(), blocks.get(i).labels());
                predictionsByDevice.put(blocks.get(i).device(), predictions.get(i));
            }
            StepData stepData = new StepData(batch, labelsByDevice, predictionsByDevice, report);
            trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, stepData));
            return report;
        }
    }

    /** Each block's share of the batch's real tokens, to weigh per-block outputs. */
    private double[] tokenShares(List<BatchBlocks.Block> blocks, long tokens) {
        double[] shares = new double[blocks.size()];
        if (blocks.size() == 1) {
            shares[0] = 1.0;
            return shares;
        }
        for (int i = 0; i < blocks.size(); i++) {
            BatchBlocks.Block b = blocks.get(i);
            long blockTokens =
                    java.util.Arrays.stream(
                                    BatchLayout.realTokensPerModality(
                                            b.data(), b.labels(), config.nModalities()))
                            .sum();
            shares[i] = tokens == 0 ? 1.0 / blocks.size() : (double) blockTokens / tokens;
        }
        return shares;
    }

    /**
     * Measures (and, past the limit, scales) the gradient of every trained parameter: on several
     * devices, the norm of their sum, which is what the update will use.
     */
    private double clipGradients() {
        try (NDManager scratch = model.getNDManager().newSubManager()) {
            // an infinite limit only measures; a non-finite norm stops the run before the update
            return GlobalNormClipping.clipReplicated(
                    replicas.gradients(scratch), settings.maxGradNorm());
        }
    }

    static int stepSeed(int seed, int step) {
        return (int) Seeds.mix(seed, ENGINE_SEED_STREAM, step);
    }

    /**
     * The held-out loss per modality, over every target token of {@code heldOut}, in batches of the
     * training batch size. No gradients are recorded and the run's trajectory is unchanged.
     */
    public ModalityLosses evaluate(Dataset heldOut) throws IOException, TranslateException {
        return evaluate(heldOut, settings.batchSize());
    }

    /**
     * The held-out loss per modality: sums and counts over every target token of every batch, so
     * the mean is over all tokens (weighted by counts), not a mean of batch means. A {@link
     * RandomAccessDataset} is read in order in batches of {@code batchSize}, the last one smaller;
     * any other dataset in its own batches.
     */
    public ModalityLosses evaluate(Dataset heldOut, int batchSize)
            throws IOException, TranslateException {
        ModalityLosses total = ModalityLosses.empty(config.nModalities());
        try (NDManager evalManager = trainer.getManager().newSubManager()) {
            Iterable<Batch> batches =
                    heldOut instanceof RandomAccessDataset randomAccess
                            ? randomAccess.getData(
                                    evalManager,
                                    new BatchSampler(new SequenceSampler(), batchSize, false))
                            : heldOut.getData(evalManager);
            long index = 0;
            for (Batch batch : batches) {
                try (batch) {
                    BatchLayout.check(
                            batch.getData(),
                            batch.getLabels(),
                            loss.objective().allowsImageSpans());
                    // the same seed for the i-th held-out batch at every evaluation: a diffusion
                    // objective scores fixed (timestep, noise) pairs, so curves are comparable
                    PreparedBatch prepared =
                            loss.objective()
                                    .prepare(
                                            batch.getData(),
                                            batch.getLabels(),
                                            Seeds.mix(HELD_OUT_SEED, PREPARE_SEED_STREAM, index++));
                    NDList data = prepared.data();
                    NDList labels = prepared.labels();
                    NDList predictions = trainer.evaluate(data);
                    total = total.plus(ModalityLosses.of(loss.compute(labels, predictions)));
                    Device device = data.head().getDevice();
                    TrainingListener.BatchData batchData =
                            new TrainingListener.BatchData(
                                    batch,
                                    new HashMap<>(Map.of(device, labels)),
                                    new HashMap<>(Map.of(device, predictions)));
                    trainer.notifyListeners(l -> l.onValidationBatch(trainer, batchData));
                }
            }
        }
        return total;
    }

    /**
     * Writes a checkpoint of the current step to {@code dir} (replacing an older one there): see
     * {@link TrainingCheckpoint}.
     */
    public void saveCheckpoint(Path dir) throws IOException {
        new TrainingCheckpoint(
                        config, settings, step, stream.position(), totalTokens, totalTrainingFlops)
                .write(dir, block, optimizer);
        logger.info("saved checkpoint of step {} to {}", step, dir);
    }

    /** Steps completed. */
    public int step() {
        return step;
    }

    /** The position of the next training batch in the data order. */
    public DataPosition dataPosition() {
        return stream.position();
    }

    /** The model's config. */
    public MoTConfig config() {
        return config;
    }

    /** The run's settings. */
    public TrainingSettings settings() {
        return settings;
    }

    /** The model being trained (its parameters are live). */
    public MoTModel model() {
        return block;
    }

    /** The DJL model holding the block; its manager owns the parameters. */
    public Model djlModel() {
        return model;
    }

    /**
     * The DJL trainer, on the first device: it evaluates and notifies the listeners. Training steps
     * do not go through its {@code step()}: the run updates through its own parameter store.
     */
    public Trainer trainer() {
        return trainer;
    }

    /** The optimizer. */
    public ResumableAdamW optimizer() {
        return optimizer;
    }

    /** The loss (also the trainer's). */
    public ObjectiveLoss loss() {
        return loss;
    }

    /** The learning-rate schedule. */
    public WarmupCosineTracker schedule() {
        return schedule;
    }

    /** Parameter and FLOP counts of the model. */
    public FlopsAccounting flops() {
        return flops;
    }

    /** Real (non-padding) tokens trained on so far. */
    public long totalTokens() {
        return totalTokens;
    }

    /** Analytic training FLOPs so far: Σ over steps of real tokens × FLOPs per token at T. */
    public double totalTrainingFlops() {
        return totalTrainingFlops;
    }

    /**
     * Arrays alive in the model's manager (parameters, gradients, trainer, data iteration) plus the
     * optimizer's state; constant from one step to the next when nothing leaks.
     */
    public int liveArrayCount() {
        return model.getNDManager().getManagedArrays().size() + optimizer.stateArrayCount();
    }

    /** Frees the data iteration, the trainer, the optimizer state and the model. */
    @Override
    public void close() {
        stream.close();
        replicas.close();
        trainer.close();
        optimizer.close();
        model.close();
    }
}
