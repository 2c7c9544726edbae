/**
 * Batch inference with Apache Spark in local mode: captions in, a score and a generated image per
 * caption out, one model per executor JVM ({@link io.motdjl.spark.JvmModels}) and one predictor per
 * partition ({@link io.motdjl.spark.PartitionInference}). The program is {@link
 * io.motdjl.spark.BatchCaptions}.
 */
package io.motdjl.spark;
