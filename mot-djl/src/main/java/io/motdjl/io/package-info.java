/**
 * Checkpoints: the reference layout ({@code config.json} + {@code model.safetensors}, or shards
 * with {@code model.safetensors.index.json}; tensor names of the public reference implementation,
 * mapped by {@link io.motdjl.io.ReferenceNames}), read and written by {@link
 * io.motdjl.io.ReferenceCheckpoint} tensor by tensor (files over 2 GiB, BF16 converted in Java);
 * safetensors headers are validated in Java before any byte reaches native code.
 */
package io.motdjl.io;
