package io.motdjl.zoo;

import java.util.Map;

/**
 * One artifact of the zoo, as {@link MoTModelZoo#bundledModels()} lists it.
 *
 * @param groupId the zoo's group id
 * @param artifactId the artifact family, the value of {@code Criteria.optArtifactId}
 * @param version the artifact's version
 * @param name the artifact's name
 * @param properties the values {@code Criteria.optFilter} selects by
 * @param fileSizes size in bytes of each file, by name
 * @param card the model card, or null when the artifact has none
 */
public record BundledModel(
        String groupId,
        String artifactId,
        String version,
        String name,
        Map<String, String> properties,
        Map<String, Long> fileSizes,
        ModelCard card) {

    /** Copies the properties and the file sizes (in their order) into unmodifiable maps. */
    public BundledModel {
        properties = Map.copyOf(properties);
        fileSizes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fileSizes));
    }

    /** Total size of the artifact's files in bytes. */
    public long totalBytes() {
        return fileSizes.values().stream().mapToLong(Long::longValue).sum();
    }
}
