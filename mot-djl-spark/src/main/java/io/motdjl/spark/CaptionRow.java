package io.motdjl.spark;

import java.io.Serializable;

/** One input row: a caption and its index in the input file (a Java bean, for Spark's encoder). */
public class CaptionRow implements Serializable {

    private static final long serialVersionUID = 1L;

    private long index;
    private String caption;

    /** An empty row, for the bean encoder. */
    public CaptionRow() {}

    /**
     * A row.
     *
     * @param index the caption's index (0-based, blank lines not counted)
     * @param caption the caption
     */
    public CaptionRow(long index, String caption) {
        this.index = index;
        this.caption = caption;
    }

    /**
     * The caption's index.
     *
     * @return the index
     */
    public long getIndex() {
        return index;
    }

    /**
     * Sets the index.
     *
     * @param index the index
     */
    public void setIndex(long index) {
        this.index = index;
    }

    /**
     * The caption.
     *
     * @return the caption
     */
    public String getCaption() {
        return caption;
    }

    /**
     * Sets the caption.
     *
     * @param caption the caption
     */
    public void setCaption(String caption) {
        this.caption = caption;
    }
}
