/**
 * A DJL model zoo for MoT checkpoints (group {@code io.motdjl.mot}): loading through {@code
 * Criteria}, sha256-verified artifacts, scoring and generation translators, and the small bundled
 * checkpoints.
 */
package io.motdjl.zoo;
