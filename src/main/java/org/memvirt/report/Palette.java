package org.memvirt.report;

/**
 * The colours every chart uses: Tableau 10 (Maureen Stone, 2016), chosen for telling ten series apart on light
 * backgrounds and in print, plus dark ink for text, axes and overlay lines.
 */
public final class Palette {
    private static final String[] SERIES = {
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    /** Overlay lines drawn over filled areas: dark, so they read on top of any series colour. */
    private static final String[] OVERLAY = {"#1b1b1b", "#6a3d9a", "#00008b", "#8c510a"};

    public static final String INK = "#1b1b1b";
    public static final String MUTED = "#5a5a5a";
    public static final String GRID = "#dddddd";
    public static final String AXIS = "#444444";
    public static final String BACKGROUND = "#ffffff";
    /** Vertical event markers (OOM kill, balloon change). */
    public static final String EVENT = "#b2182b";

    /** The colour of series {@code i}, cycling after ten. */
    public static String series(int i) {
        return SERIES[Math.floorMod(i, SERIES.length)];
    }

    /** The colour of overlay line {@code i}, cycling after four. */
    public static String overlay(int i) {
        return OVERLAY[Math.floorMod(i, OVERLAY.length)];
    }

    private Palette() {}
}
