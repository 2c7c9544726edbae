package io.motdjl.zoo;

import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooProvider;

/**
 * Registers the {@link MoTModelZoo} with DJL through {@link java.util.ServiceLoader} ({@code
 * META-INF/services/ai.djl.repository.zoo.ZooProvider}): with this jar on the class path, {@code
 * Criteria.optGroupId("io.motdjl.mot")} finds the bundled models.
 */
public class MoTZooProvider implements ZooProvider {

    @Override
    public ModelZoo getModelZoo() {
        return new MoTModelZoo();
    }
}
