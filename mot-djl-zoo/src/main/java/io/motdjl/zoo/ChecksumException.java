package io.motdjl.zoo;

import io.motdjl.io.CheckpointException;

/**
 * A checkpoint file whose size or SHA-256 digest is not the one its checksum manifest or its
 * repository metadata records: the file is truncated, corrupt or was changed after it was written.
 * The message names the file, both digests (or sizes) and where the expected value came from.
 */
public final class ChecksumException extends CheckpointException {

    private static final long serialVersionUID = 1L;

    /** An exception whose message names the file and the expected and actual values. */
    public ChecksumException(String message) {
        super(message);
    }
}
