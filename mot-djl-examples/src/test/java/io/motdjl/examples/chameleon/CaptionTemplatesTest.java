package io.motdjl.examples.chameleon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

class CaptionTemplatesTest {

    @Test
    void defaultTemplatesFillCorrectly() {
        assertTrue(CaptionTemplates.DEFAULT_TEMPLATES.size() >= 4);
        List<String> ankleBoot = new ArrayList<>();
        for (String t : CaptionTemplates.DEFAULT_TEMPLATES) {
            ankleBoot.add(CaptionTemplates.fill(t, "ankle boot"));
        }
        assertEquals(
                List.of(
                        "a photo of an ankle boot",
                        "ankle boot",
                        "a picture of the ankle boot",
                        "an image showing an ankle boot",
                        "a black and white photo of the ankle boot",
                        "an ankle boot on a plain background"),
                ankleBoot);
        assertEquals(
                "a photo of a t-shirt/top",
                CaptionTemplates.fill("a photo of {a} {}", "t-shirt/top"));
    }

    @Test
    void choiceIsDeterministicPerSeedAndExample() {
        CaptionTemplates a = CaptionTemplates.defaults(1);
        CaptionTemplates b = CaptionTemplates.defaults(1);
        CaptionTemplates c = CaptionTemplates.defaults(2);
        int[] used = new int[a.templates().size()];
        int differences = 0;
        for (int i = 0; i < 600; i++) {
            assertEquals(a.caption(i % 10, i), b.caption(i % 10, i));
            used[a.templateIndex(i)]++;
            if (a.templateIndex(i) != c.templateIndex(i)) {
                differences++;
            }
        }
        for (int count : used) {
            assertTrue(count > 60, "every template is used about evenly: " + count);
        }
        assertTrue(differences > 300, "another seed, other choices: " + differences);
        assertTrue(a.caption(9, 0).contains("ankle boot"));
        assertNotEquals(a.caption(0, 0), a.caption(1, 0));
    }

    @Test
    void rejectsTemplatesWithoutAName() {
        assertThrows(IllegalArgumentException.class, () -> new CaptionTemplates(List.of(), 0));
        assertThrows(
                IllegalArgumentException.class, () -> new CaptionTemplates(List.of("a photo"), 0));
    }
}
