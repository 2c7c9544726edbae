/**
 * The model configuration: {@link io.motdjl.config.MoTConfig} (the reference {@code config.json}
 * schema, strict JSON round trip, validation), which components are untied, the norm order and the
 * RoPE style.
 */
package io.motdjl.config;
