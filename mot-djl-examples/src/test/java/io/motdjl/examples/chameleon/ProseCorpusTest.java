package io.motdjl.examples.chameleon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

class ProseCorpusTest {

    private static ProseCorpus parse(String text) throws IOException {
        return ProseCorpus.read(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test.tsv");
    }

    @Test
    void bundledCorpusHoldsEveryAddressInYearOrder() throws IOException {
        ProseCorpus corpus = ProseCorpus.bundled();
        assertEquals(233, corpus.size());
        assertEquals(1790, corpus.documents().get(0).year());
        assertEquals("George Washington", corpus.documents().get(0).author());
        assertEquals(2021, corpus.documents().get(corpus.size() - 1).year());
        for (int i = 1; i < corpus.size(); i++) {
            assertTrue(corpus.documents().get(i).year() >= corpus.documents().get(i - 1).year());
        }
        // about 10.8 MB of text: the figure the resource's README states
        assertTrue(corpus.textBytes() > 10_000_000 && corpus.textBytes() < 11_000_000);
    }

    @Test
    void malformedInputIsRefusedWithItsLine() {
        IOException fields =
                assertThrows(IOException.class, () -> parse("1790\tA\ttext\n1791\tonly two\n"));
        assertTrue(fields.getMessage().contains("test.tsv line 2"), fields.getMessage());
        IOException year = assertThrows(IOException.class, () -> parse("MDCC\tA\ttext\n"));
        assertTrue(year.getMessage().contains("'MDCC' is not a whole number"), year.getMessage());
        IOException empty = assertThrows(IOException.class, () -> parse("\n\n"));
        assertTrue(empty.getMessage().contains("no document"), empty.getMessage());
        byte[] latin1 = "1790\tA\tcafé\n".getBytes(StandardCharsets.ISO_8859_1);
        IOException notUtf8 =
                assertThrows(
                        IOException.class,
                        () -> ProseCorpus.read(new ByteArrayInputStream(latin1), "latin1.tsv"));
        assertTrue(notUtf8.getMessage().contains("not UTF-8"), notUtf8.getMessage());
    }

    @Test
    void splitKeepsWholeDocumentsApartAndFollowsTheSeed() throws IOException {
        ProseCorpus corpus = ProseCorpus.bundled();
        ProseCorpus.Split split = corpus.split(0.1, 7);
        assertEquals(23, split.heldOut().size());
        assertEquals(corpus.size(), split.train().size() + split.heldOut().size());
        Set<ProseCorpus.Document> train = new HashSet<>(split.train().documents());
        for (ProseCorpus.Document d : split.heldOut().documents()) {
            assertFalse(train.contains(d), "held out and trained on: " + d.year());
        }
        assertEquals(split.heldOut().documents(), corpus.split(0.1, 7).heldOut().documents());
        assertNotEquals(split.heldOut().documents(), corpus.split(0.1, 8).heldOut().documents());
        ProseCorpus two = new ProseCorpus(corpus.documents().subList(0, 2));
        assertEquals(1, two.split(0.01, 1).heldOut().size(), "each side gets a document");
        assertEquals(1, two.split(0.99, 1).train().size(), "each side gets a document");
        assertThrows(IllegalArgumentException.class, () -> corpus.split(0, 1));
        assertThrows(IllegalArgumentException.class, () -> corpus.split(1, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ProseCorpus(corpus.documents().subList(0, 1)).split(0.5, 1));
    }

    @Test
    void piecesCoverEachDocumentExactlyAndEndAfterASpace() throws IOException {
        ProseCorpus corpus = new ProseCorpus(ProseCorpus.bundled().documents().subList(0, 12));
        int maxBytes = 93;
        List<ProseCorpus.Piece> pieces = corpus.pieces(maxBytes);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        int document = 0;
        for (ProseCorpus.Piece piece : pieces) {
            assertTrue(piece.bytes().length <= maxBytes && piece.bytes().length > 0);
            joined.writeBytes(piece.bytes());
            if (piece.endsDocument()) {
                byte[] expected =
                        corpus.documents()
                                .get(document)
                                .text()
                                .strip()
                                .getBytes(StandardCharsets.UTF_8);
                assertArrayEquals(expected, joined.toByteArray(), "document " + document);
                joined.reset();
                document++;
            } else {
                assertEquals(' ', piece.bytes()[piece.bytes().length - 1]);
            }
        }
        assertEquals(corpus.size(), document);
        ProseCorpus.Piece first = pieces.get(0);
        assertEquals(first.bytes().length, first.tokens().length);
        for (int i = 0; i < first.bytes().length; i++) {
            assertEquals(Byte.toUnsignedInt(first.bytes()[i]), first.tokens()[i]);
        }
        assertThrows(IllegalArgumentException.class, () -> corpus.pieces(7));
    }

    @Test
    void aWordLongerThanAPieceIsCutBetweenCharacters() throws IOException {
        // 'é' is two bytes: a cut at an odd byte would split one
        String word = "é".repeat(20);
        List<ProseCorpus.Piece> pieces = parse("1\tA\t" + word + "\n").pieces(9);
        StringBuilder rebuilt = new StringBuilder();
        for (ProseCorpus.Piece piece : pieces) {
            assertEquals(8, piece.bytes().length, "cut before the ninth byte, a continuation byte");
            rebuilt.append(new String(piece.bytes(), StandardCharsets.UTF_8));
        }
        assertEquals(word, rebuilt.toString());
        assertEquals(5, pieces.size());
    }
}
