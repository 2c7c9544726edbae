package io.motdjl.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every parameter of a {@link MoTModel} with its path in the block tree and the modalities whose
 * tokens use it: a parameter inside tower {@code t} of a {@link PerModality} serves the modalities
 * mapped to {@code t}; an adapter or head serves the modalities given it; anything else
 * (attention's mixing has no parameters) serves every modality. This is how {@code bin/mot
 * describe} counts parameters per modality.
 */
public final class ParameterCensus {

    /**
     * One parameter.
     *
     * @param path dot-separated path from the model, e.g. {@code
     *     trunk.layer0.attention.qkv.1.weight}
     * @param parameter the parameter
     * @param modalities the modality ids whose tokens use it
     */
    public record Entry(String path, Parameter parameter, BitSet modalities) {

        /** Number of values (from the declared shape; no array needs to exist). */
        public long size() {
            return parameter.getShape() == null ? 0 : parameter.getShape().size();
        }

        /** Whether every one of {@code numModalities} modalities uses it. */
        public boolean isShared(int numModalities) {
            return modalities.cardinality() == numModalities;
        }
    }

    private final int numModalities;
    private final List<Entry> entries;
    private final Map<String, Block> blocks;

    private ParameterCensus(int numModalities, List<Entry> entries, Map<String, Block> blocks) {
        this.numModalities = numModalities;
        this.entries = Collections.unmodifiableList(entries);
        this.blocks = Collections.unmodifiableMap(blocks);
    }

    /** Takes the census of {@code model} (initialised or not). */
    public static ParameterCensus of(MoTModel model) {
        int m = model.config().nModalities();
        List<Entry> entries = new ArrayList<>();
        Map<String, Block> blocks = new LinkedHashMap<>();
        BitSet all = new BitSet();
        all.set(0, m);
        for (int a = 0; a < model.inputAdapters().size(); a++) {
            InputAdapter adapter = model.inputAdapters().get(a);
            BitSet serving = new BitSet();
            for (int k = 0; k < m; k++) {
                if (model.inputAdapter(k) == adapter) {
                    serving.set(k);
                }
            }
            walk(adapter, a == 0 ? "input" : "input_" + a, serving, entries, blocks);
        }
        walk(model.trunk(), "trunk", all, entries, blocks);
        for (int h = 0; h < model.outputHeads().size(); h++) {
            OutputHead head = model.outputHeads().get(h);
            BitSet serving = new BitSet();
            for (int k = 0; k < m; k++) {
                if (model.outputHead(k) == head) {
                    serving.set(k);
                }
            }
            walk(head, h == 0 ? "head" : "head_" + h, serving, entries, blocks);
        }
        return new ParameterCensus(m, entries, blocks);
    }

    private static void walk(
            Block block, String path, BitSet serving, List<Entry> out, Map<String, Block> blocks) {
        blocks.put(path, block);
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.add(new Entry(path + "." + p.getKey(), p.getValue(), serving));
        }
        if (block instanceof PerModality<?> towers) {
            for (int t = 0; t < towers.numTowers(); t++) {
                BitSet mine = new BitSet();
                for (int k = 0; k < towers.numModalities(); k++) {
                    if (towers.towerOf(k) == t && serving.get(k)) {
                        mine.set(k);
                    }
                }
                walk(towers.tower(t), path + "." + t, mine, out, blocks);
            }
            return;
        }
        for (Pair<String, Block> child : block.getChildren()) {
            walk(child.getValue(), path + "." + childName(child.getKey()), serving, out, blocks);
        }
    }

    /** A child's name without the two-digit position DJL prefixes it with. */
    static String childName(String key) {
        return key.length() > 2
                        && Character.isDigit(key.charAt(0))
                        && Character.isDigit(key.charAt(1))
                ? key.substring(2)
                : key;
    }

    /** Every parameter, in the block tree's order. */
    public List<Entry> entries() {
        return entries;
    }

    /** Every block by its path (adapters, trunk, heads and all below them), in tree order. */
    public Map<String, Block> blocks() {
        return blocks;
    }

    /** The parameters at or below the block at {@code path}. */
    public List<Entry> under(String path) {
        List<Entry> found = new ArrayList<>();
        for (Entry e : entries) {
            if (e.path().startsWith(path + ".")) {
                found.add(e);
            }
        }
        return found;
    }

    /** Number of modalities M. */
    public int numModalities() {
        return numModalities;
    }

    /** All parameter values. */
    public long total() {
        long n = 0;
        for (Entry e : entries) {
            n += e.size();
        }
        return n;
    }

    /** Values used by every modality (shared embedding, head, tied components). */
    public long shared() {
        long n = 0;
        for (Entry e : entries) {
            if (e.isShared(numModalities)) {
                n += e.size();
            }
        }
        return n;
    }

    /** Values used by modality {@code m} alone (its own parameter sets). */
    public long onlyFor(int m) {
        long n = 0;
        for (Entry e : entries) {
            if (e.modalities().cardinality() == 1 && e.modalities().get(m)) {
                n += e.size();
            }
        }
        return n;
    }

    /** Values modality {@code m}'s tokens touch: its own plus everything shared with it. */
    public long usedBy(int m) {
        long n = 0;
        for (Entry e : entries) {
            if (e.modalities().get(m)) {
                n += e.size();
            }
        }
        return n;
    }
}
