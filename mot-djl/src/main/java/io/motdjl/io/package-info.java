/**
 * Checkpoints: the reference layout ({@code config.json} + {@code model.safetensors}, tensor names
 * of the public reference implementation, mapped by {@link io.motdjl.io.ReferenceNames}), read and
 * written by {@link io.motdjl.io.ReferenceCheckpoint}; safetensors headers are validated in Java
 * before any byte reaches native code.
 */
package io.motdjl.io;
