/**
 * Deterministic routing by modality id: {@link io.motdjl.routing.ModalityRouting} (index masks
 * computed once per forward pass) and {@link io.motdjl.routing.GroupedRows} (rows kept in one
 * contiguous chunk per modality).
 */
package io.motdjl.routing;
