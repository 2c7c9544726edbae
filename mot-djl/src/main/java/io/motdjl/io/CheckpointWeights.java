package io.motdjl.io;

import ai.djl.ndarray.NDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a checkpoint with every header read and validated, not yet any tensor: one
 * safetensors file, or a sharded checkpoint's index with all its shards. For a sharded checkpoint
 * the index and the shards must agree exactly — every tensor the weight map lists is in the shard
 * it names and in no other listed shard, and no listed shard holds a tensor the map does not list
 * or puts elsewhere — since a mismatch means files from different saves were mixed. Shards the map
 * does not name are not read.
 */
final class CheckpointWeights implements AutoCloseable {

    private final String source;
    private final List<TensorReader> readers;
    private final Map<String, TensorReader> readerOf;
    private final Map<String, SafetensorsHeader.Entry> entries;

    private CheckpointWeights(
            String source,
            List<TensorReader> readers,
            Map<String, TensorReader> readerOf,
            Map<String, SafetensorsHeader.Entry> entries) {
        this.source = source;
        this.readers = readers;
        this.readerOf = readerOf;
        this.entries = entries;
    }

    /**
     * Opens a safetensors file, or an index ({@code *.index.json}) and its shards.
     *
     * @param file the weights file or the index
     * @param windowBytes the read window (see {@link TensorReader})
     * @throws IOException if a file cannot be read
     * @throws CheckpointException if a header or the index is malformed or they disagree
     */
    static CheckpointWeights open(Path file, int windowBytes) throws IOException {
        if (!SafetensorsIndex.isIndex(file)) {
            TensorReader reader = TensorReader.open(file, windowBytes);
            Map<String, TensorReader> readerOf = new LinkedHashMap<>();
            reader.header().entries().keySet().forEach(name -> readerOf.put(name, reader));
            return new CheckpointWeights(
                    file.toString(), List.of(reader), readerOf, reader.header().entries());
        }
        SafetensorsIndex index = SafetensorsIndex.read(file);
        List<TensorReader> readers = new ArrayList<>();
        try {
            Map<String, TensorReader> byShard = new LinkedHashMap<>();
            for (String shard : index.shards()) {
                Path shardFile = index.dir().resolve(shard);
                if (!CheckpointFiles.isPresent(shardFile)) {
                    throw new CheckpointException(
                            file
                                    + ": the weight_map names shard "
                                    + shard
                                    + ", which is missing from "
                                    + index.dir());
                }
                TensorReader reader = TensorReader.open(shardFile, windowBytes);
                readers.add(reader);
                byShard.put(shard, reader);
            }
            return agreeing(index, readers, byShard);
        } catch (IOException | RuntimeException e) {
            closeAll(readers, e);
            throw e;
        }
    }

    private static CheckpointWeights agreeing(
            SafetensorsIndex index, List<TensorReader> readers, Map<String, TensorReader> byShard) {
        String where = index.file().toString();
        Map<String, String> map = index.weightMap();
        for (Map.Entry<String, TensorReader> shard : byShard.entrySet()) {
            for (String tensor : shard.getValue().header().entries().keySet()) {
                String listed = map.get(tensor);
                if (!shard.getKey().equals(listed)) {
                    throw new CheckpointException(
                            where
                                    + ": shard "
                                    + shard.getKey()
                                    + " holds tensor '"
                                    + tensor
                                    + "', which the weight_map "
                                    + (listed == null ? "does not list" : "puts in " + listed)
                                    + " — the index and the shards come from different saves");
                }
            }
        }
        Map<String, TensorReader> readerOf = new LinkedHashMap<>();
        Map<String, SafetensorsHeader.Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
            TensorReader reader = byShard.get(e.getValue());
            SafetensorsHeader.Entry entry = reader.header().entries().get(e.getKey());
            if (entry == null) {
                throw new CheckpointException(
                        where
                                + ": the weight_map puts tensor '"
                                + e.getKey()
                                + "' in shard "
                                + e.getValue()
                                + ", which does not hold it");
            }
            readerOf.put(e.getKey(), reader);
            entries.put(e.getKey(), entry);
        }
        return new CheckpointWeights(
                where, List.copyOf(readers), readerOf, Collections.unmodifiableMap(entries));
    }

    /** The weights file, or the index of a sharded checkpoint, for messages. */
    String source() {
        return source;
    }

    /** The file that holds {@code tensor}, for messages. */
    String fileOf(String tensor) {
        return readerOf.get(tensor).name();
    }

    /** Every tensor's header entry, by name. */
    Map<String, SafetensorsHeader.Entry> entries() {
        return entries;
    }

    /** Copies a tensor into a flat destination; see {@link TensorReader#copyInto}. */
    long copyInto(String tensor, NDArray flat, long offset, FiniteValues finite)
            throws IOException {
        return readerOf.get(tensor).copyInto(tensor, flat, offset, finite);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (TensorReader reader : readers) {
            try {
                reader.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void closeAll(List<TensorReader> readers, Exception failure) {
        for (TensorReader reader : readers) {
            try {
                reader.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
