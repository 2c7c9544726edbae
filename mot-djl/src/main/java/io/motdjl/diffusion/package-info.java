/**
 * The diffusion side of the Transfusion setting: the noise schedule, the noising of image patch
 * rows, and the blocks and objective that train a MoT to predict the noise.
 */
package io.motdjl.diffusion;
