package io.motdjl.examples.chameleon;

import io.motdjl.tokenize.JointVocabulary;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * Text-only documents of real English prose: the text the Chameleon miniature mixes with its
 * caption and image sequences, so that text needs capacity too. The bundled corpus is the State of
 * the Union addresses 1790–2021 (public domain; see the README beside the resource).
 *
 * <p>The format is UTF-8 text, one document per line: {@code year<TAB>author<TAB>text}; a gzip file
 * is read as such.
 */
public final class ProseCorpus {

    /** Class-path location of the bundled corpus. */
    public static final String BUNDLED_RESOURCE =
            "io/motdjl/examples/prose/state-of-the-union.tsv.gz";

    /**
     * One document.
     *
     * @param year the year it was given
     * @param author who gave it
     * @param text its text, one line
     */
    public record Document(int year, String author, String text) {
        public Document {
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("a document needs text");
            }
        }
    }

    /**
     * Documents split into training and held-out ones.
     *
     * @param train documents to train on
     * @param heldOut documents never trained on
     */
    public record Split(ProseCorpus train, ProseCorpus heldOut) {}

    private final List<Document> documents;

    /**
     * A corpus of these documents.
     *
     * @param documents at least one
     */
    public ProseCorpus(List<Document> documents) {
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("a prose corpus needs at least one document");
        }
        this.documents = List.copyOf(documents);
    }

    /** The corpus bundled with mot-djl-examples: 233 State of the Union addresses. */
    public static ProseCorpus bundled() throws IOException {
        ClassLoader loader = ProseCorpus.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new IOException(
                        "the bundled prose corpus "
                                + BUNDLED_RESOURCE
                                + " is not on the class path");
            }
            return read(new GZIPInputStream(in), BUNDLED_RESOURCE);
        }
    }

    /**
     * Reads documents, one per line ({@code year<TAB>author<TAB>text}); empty lines are skipped.
     *
     * @param in UTF-8 text (not closed)
     * @param source named in error messages
     * @return the documents in file order
     * @throws IOException if the stream cannot be read, is not UTF-8, or a line is malformed
     */
    public static ProseCorpus read(InputStream in, String source) throws IOException {
        BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(
                                in,
                                StandardCharsets.UTF_8
                                        .newDecoder()
                                        .onMalformedInput(CodingErrorAction.REPORT)
                                        .onUnmappableCharacter(CodingErrorAction.REPORT)));
        List<Document> documents = new ArrayList<>();
        int lineNumber = 0;
        String line;
        try {
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (!line.isEmpty()) {
                    documents.add(parse(line, source, lineNumber));
                }
            }
        } catch (CharacterCodingException e) {
            throw new IOException(source + " is not UTF-8 text (after line " + lineNumber + ")", e);
        }
        if (documents.isEmpty()) {
            throw new IOException(source + " holds no document");
        }
        return new ProseCorpus(documents);
    }

    private static Document parse(String line, String source, int lineNumber) throws IOException {
        String[] fields = line.split("\t", 3);
        String where = source + " line " + lineNumber + ": ";
        if (fields.length != 3 || fields[2].isBlank()) {
            throw new IOException(
                    where
                            + "expected year<TAB>author<TAB>text, found "
                            + fields.length
                            + " field(s)");
        }
        try {
            return new Document(Integer.parseInt(fields[0].trim()), fields[1], fields[2]);
        } catch (NumberFormatException e) {
            throw new IOException(where + "the year '" + fields[0] + "' is not a whole number", e);
        }
    }

    /** Number of documents. */
    public int size() {
        return documents.size();
    }

    /** The documents in order. */
    public List<Document> documents() {
        return documents;
    }

    /** Bytes of UTF-8 text in all documents. */
    public long textBytes() {
        long bytes = 0;
        for (Document d : documents) {
            bytes += d.text().getBytes(StandardCharsets.UTF_8).length;
        }
        return bytes;
    }

    /**
     * Splits by whole documents (so no held-out sentence was seen in training), chosen at random
     * from the seed. Both parts get at least one document.
     *
     * @param heldOutFraction share of documents held out, in (0, 1)
     * @param seed which documents
     * @return the split
     */
    public Split split(double heldOutFraction, long seed) {
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException(
                    "the held-out fraction must be in (0, 1), got " + heldOutFraction);
        }
        if (documents.size() < 2) {
            throw new IllegalArgumentException(
                    "splitting needs at least two documents, the corpus has " + documents.size());
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int heldOut =
                Math.min(
                        documents.size() - 1,
                        Math.max(1, (int) Math.round(heldOutFraction * documents.size())));
        List<Integer> heldOutIndices = new ArrayList<>(order.subList(0, heldOut));
        List<Integer> trainIndices = new ArrayList<>(order.subList(heldOut, order.size()));
        // keep corpus order inside each part
        Collections.sort(heldOutIndices);
        Collections.sort(trainIndices);
        return new Split(pick(trainIndices), pick(heldOutIndices));
    }

    private ProseCorpus pick(List<Integer> indices) {
        List<Document> picked = new ArrayList<>(indices.size());
        for (int i : indices) {
            picked.add(documents.get(i));
        }
        return new ProseCorpus(picked);
    }

    /**
     * Cuts every document into consecutive pieces of at most {@code maxBytes} UTF-8 bytes, each
     * ending after a space where the text allows (so no word and no character is cut in two); a
     * word longer than {@code maxBytes} is cut at a character boundary.
     *
     * @param maxBytes the longest piece, at least 8
     * @return every piece of every document, in order
     */
    public List<Piece> pieces(int maxBytes) {
        if (maxBytes < 8) {
            throw new IllegalArgumentException(
                    "pieces must allow at least 8 bytes, got " + maxBytes);
        }
        List<Piece> pieces = new ArrayList<>();
        for (Document d : documents) {
            byte[] bytes = d.text().strip().getBytes(StandardCharsets.UTF_8);
            int start = 0;
            while (start < bytes.length) {
                int end = cutPoint(bytes, start, maxBytes);
                byte[] piece = new byte[end - start];
                System.arraycopy(bytes, start, piece, 0, piece.length);
                pieces.add(new Piece(piece, end == bytes.length));
                start = end;
            }
        }
        return pieces;
    }

    /** Where a piece starting at {@code start} ends: after the last space that fits, if any. */
    private static int cutPoint(byte[] bytes, int start, int maxBytes) {
        int limit = start + maxBytes;
        if (limit >= bytes.length) {
            return bytes.length;
        }
        for (int i = limit - 1; i > start; i--) {
            if (bytes[i] == ' ') {
                return i + 1;
            }
        }
        // no space: cut before a UTF-8 continuation byte never falls inside a character
        int end = limit;
        while (end > start + 1 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return end;
    }

    /**
     * A piece of a document.
     *
     * @param bytes its UTF-8 bytes
     * @param endsDocument whether the document ends with it
     */
    public record Piece(byte[] bytes, boolean endsDocument) {
        /** The bytes as text tokens (token = byte value). */
        public int[] tokens() {
            return JointVocabulary.byteTokens(bytes);
        }
    }
}
