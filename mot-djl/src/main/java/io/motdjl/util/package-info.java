/**
 * Small engine helpers: native scalars and arrays that are safe to keep in the autograd graph, and
 * the one seed mixer.
 */
package io.motdjl.util;
