/**
 * Training MoT models on DJL's {@link ai.djl.training.Trainer}.
 *
 * <p>{@link io.motdjl.train.TrainingRun} is the driver: it builds the model, the {@link
 * io.motdjl.objective.ObjectiveLoss}, the {@link io.motdjl.train.ResumableAdamW} optimizer with a
 * {@link io.motdjl.train.WarmupCosineTracker}, trains for a number of steps with global-norm
 * clipping ({@link io.motdjl.train.GlobalNormClipping}), evaluates held-out loss per modality
 * ({@link io.motdjl.objective.ModalityLosses}), counts FLOPs ({@link
 * io.motdjl.train.FlopsAccounting}) and saves and resumes exact checkpoints ({@link
 * io.motdjl.train.TrainingCheckpoint}).
 *
 * <p><b>Data contract.</b> Training and held-out data are DJL {@link
 * ai.djl.training.dataset.Dataset}s whose batches hold
 *
 * <ul>
 *   <li>data in the {@link io.motdjl.nn.MoTInputs} layout: {@code tokens} and {@code modalities}
 *       (int64, {@code (B, T)}) first, then optional arrays <em>named</em> {@code image_span_ids},
 *       {@code attention_mask} (1 = real token, 0 = padding) or {@code document_ids}; the model
 *       finds them by name, so an unnamed one is rejected rather than ignored (note that DJL's
 *       {@code ArrayDataset} drops array names);
 *   <li>labels {@code [tokens, modalities, attention_mask]} ({@code (B, T)}; the mask optional).
 * </ul>
 *
 * <p>A {@link ai.djl.training.dataset.RandomAccessDataset} is read in the run's own seeded order
 * ({@link io.motdjl.data.EpochShuffleSampler}) in batches of the settings' batch size.
 *
 * <p><b>MoT against dense.</b> Train both on the same data with the same {@link
 * io.motdjl.train.TrainingSettings}: the data order depends on the seed only, so both see the same
 * batches. For the dense baseline keep the modality ids (so that losses are still reported per
 * modality) and tie every component: {@code config.toBuilder().untie(Untie.NONE).build()}. ({@code
 * MoTConfig.denseTwin()} has one modality and so rejects modality ids other than 0.) Both have the
 * same FLOPs per token.
 */
package io.motdjl.train;
