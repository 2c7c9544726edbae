package io.motdjl.spark;

import java.io.Serializable;

/**
 * One output row: the caption, its score and the file of its image (a Java bean, for Spark's
 * encoder).
 */
public class CaptionResult implements Serializable {

    private static final long serialVersionUID = 1L;

    private long index;
    private String caption;
    private double score;
    private String image;

    /** An empty row, for the bean encoder. */
    public CaptionResult() {}

    /**
     * A row.
     *
     * @param index the caption's index
     * @param caption the caption
     * @param score the model's mean next-token loss of the caption (nats)
     * @param image the image's file name, relative to the output directory
     */
    public CaptionResult(long index, String caption, double score, String image) {
        this.index = index;
        this.caption = caption;
        this.score = score;
        this.image = image;
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

    /**
     * The model's mean next-token loss of the caption, in nats.
     *
     * @return the score
     */
    public double getScore() {
        return score;
    }

    /**
     * Sets the score.
     *
     * @param score the score
     */
    public void setScore(double score) {
        this.score = score;
    }

    /**
     * The image's file name, relative to the output directory.
     *
     * @return the file name
     */
    public String getImage() {
        return image;
    }

    /**
     * Sets the image's file name.
     *
     * @param image the file name
     */
    public void setImage(String image) {
        this.image = image;
    }
}
