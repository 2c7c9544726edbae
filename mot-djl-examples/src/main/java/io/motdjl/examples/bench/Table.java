package io.motdjl.examples.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A plain-text table for benchmark results: a title, a header, a rule, left-aligned rows. */
public final class Table {

    private final String title;
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final int columns;

    /** A table with a title line and these column headers. */
    public Table(String title, String... headers) {
        this.title = title;
        this.columns = headers.length;
        rows.add(headers.clone());
    }

    /** Adds a row of exactly as many cells as there are headers. */
    public Table row(String... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException(
                    "a row needs " + columns + " cells, got " + cells.length);
        }
        rows.add(cells.clone());
        return this;
    }

    /** Adds a line printed under the table. */
    public Table note(String line) {
        notes.add(line);
        return this;
    }

    /** Number of data rows. */
    public int size() {
        return rows.size() - 1;
    }

    /** The cell at data row {@code r}, column {@code c}. */
    public String cell(int r, int c) {
        return rows.get(r + 1)[c];
    }

    /** Prints the table. */
    public void print(PrintStream out) {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        out.println(title);
        for (int r = 0; r < rows.size(); r++) {
            out.println(line(rows.get(r), widths));
            if (r == 0) {
                String[] rule = new String[columns];
                for (int c = 0; c < columns; c++) {
                    rule[c] = "-".repeat(widths[c]);
                }
                out.println(line(rule, widths));
            }
        }
        for (String note : notes) {
            out.println(note);
        }
        out.println();
    }

    private static String line(String[] cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            sb.append(cells[c]);
            if (c < cells.length - 1) {
                sb.append(" ".repeat(widths[c] - cells[c].length())).append("  ");
            }
        }
        return sb.toString().stripTrailing();
    }

    /** {@code String.format} in the root locale. */
    public static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
