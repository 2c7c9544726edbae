package io.motdjl.nn;

import java.util.HashMap;
import java.util.Map;

/**
 * The layout rules of image spans and packed documents (docs/design.md, "Input contract"), checked
 * row by row on host copies. The attention mask reads these ids by equality only, so an id reused
 * away from its run, a span that mixes modalities or holds padding would change the attention
 * pattern without a word; here each is an {@link IllegalArgumentException} naming the array, the
 * position, the value and the rule.
 */
final class SegmentRules {

    private final int length;
    private final long[] modalities;
    private final long[] valid;

    /**
     * Rules for rows of {@code length} tokens.
     *
     * @param length T
     * @param modalities the modality id of every token, row-major
     * @param valid 1 for a real token and 0 for padding, row-major; null when nothing is padded
     */
    SegmentRules(int length, long[] modalities, long[] valid) {
        this.length = length;
        this.modalities = modalities;
        this.valid = valid;
    }

    /**
     * Document ids are {@code >= 0} everywhere, and each document is one contiguous run of its
     * row's real tokens (padding may carry any id: it is never attended to).
     */
    void checkDocuments(long[] documents) {
        String name = MoTInputs.DOCUMENT_IDS;
        for (int i = 0; i < documents.length; i++) {
            if (documents[i] < 0) {
                throw new IllegalArgumentException(
                        at(name, documents[i], i) + " is negative; document ids must be >= 0");
            }
        }
        for (int row = 0; row * length < documents.length; row++) {
            Map<Long, Integer> endOf = new HashMap<>();
            long current = -1;
            int previous = -1; // the row's last real position seen
            for (int t = 0; t < length; t++) {
                int i = row * length + t;
                if (isPadding(i)) {
                    continue;
                }
                long id = documents[i];
                if (id != current) {
                    if (previous >= 0) {
                        endOf.put(current, previous);
                    }
                    Integer end = endOf.get(id);
                    if (end != null) {
                        throw new IllegalArgumentException(
                                at(name, id, i)
                                        + ": document "
                                        + id
                                        + " of row "
                                        + row
                                        + " already ended at position "
                                        + end
                                        + "; each document must be one contiguous run of the"
                                        + " row's real tokens");
                    }
                    current = id;
                }
                previous = t;
            }
        }
    }

    /**
     * Span ids are {@code >= 0}: 0 outside any span, {@code s > 0} inside span {@code s}. Each span
     * is one contiguous run of its row; its tokens are real (padding has span id 0), have one
     * modality and, when documents are given, belong to one document.
     *
     * @param spans span ids, row-major
     * @param documents document ids, row-major, already checked; null for one document a row
     */
    void checkSpans(long[] spans, long[] documents) {
        String name = MoTInputs.IMAGE_SPAN_IDS;
        for (int i = 0; i < spans.length; i++) {
            if (spans[i] < 0) {
                throw new IllegalArgumentException(
                        at(name, spans[i], i)
                                + " is negative; 0 means outside any span and s > 0 inside"
                                + " span s");
            }
            if (spans[i] != 0 && isPadding(i)) {
                throw new IllegalArgumentException(
                        at(name, spans[i], i)
                                + " puts padding ("
                                + MoTInputs.VALID_TOKENS
                                + " 0) inside a span; padding must have span id 0");
            }
        }
        for (int row = 0; row * length < spans.length; row++) {
            checkSpanRow(spans, documents, row);
        }
    }

    private void checkSpanRow(long[] spans, long[] documents, int row) {
        String name = MoTInputs.IMAGE_SPAN_IDS;
        Map<Long, Integer> endOf = new HashMap<>();
        int start = row * length; // the current run's first index
        for (int t = 1; t <= length; t++) {
            int i = row * length + t;
            if (t < length && spans[i] == spans[start]) {
                if (spans[i] != 0) {
                    sameAsRunStart(spans, documents, start, i);
                }
                continue;
            }
            // the run [start, i) has ended
            if (spans[start] != 0) {
                endOf.put(spans[start], t - 1);
            }
            if (t < length && spans[i] != 0 && endOf.containsKey(spans[i])) {
                throw new IllegalArgumentException(
                        at(name, spans[i], i)
                                + ": span "
                                + spans[i]
                                + " of row "
                                + row
                                + " already ended at position "
                                + endOf.get(spans[i])
                                + "; each span must be one contiguous run of its row");
            }
            start = i;
        }
    }

    private void sameAsRunStart(long[] spans, long[] documents, int start, int i) {
        String name = MoTInputs.IMAGE_SPAN_IDS;
        long span = spans[i];
        if (modalities[i] != modalities[start]) {
            throw new IllegalArgumentException(
                    at(name, span, i)
                            + ": the token has modality "
                            + modalities[i]
                            + " but span "
                            + span
                            + " began at position "
                            + start % length
                            + " with modality "
                            + modalities[start]
                            + "; all tokens of a span must have one modality");
        }
        if (documents != null && documents[i] != documents[start]) {
            throw new IllegalArgumentException(
                    at(name, span, i)
                            + ": the token is in document "
                            + documents[i]
                            + " but span "
                            + span
                            + " began at position "
                            + start % length
                            + " in document "
                            + documents[start]
                            + "; a span must lie inside one document");
        }
    }

    private boolean isPadding(int i) {
        return valid != null && valid[i] == 0;
    }

    /** "name value v at (b, t)". */
    private String at(String name, long value, int i) {
        return name + " value " + value + " at (" + i / length + ", " + i % length + ")";
    }
}
