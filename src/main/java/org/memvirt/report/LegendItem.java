package org.memvirt.report;

/** One legend entry: a name and how its swatch is drawn. */
record LegendItem(String name, String color, Swatch swatch) {
    enum Swatch { AREA, LINE, DASHED, EVENT }
}
