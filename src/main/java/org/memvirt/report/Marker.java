package org.memvirt.report;

/**
 * A vertical event line on a time chart, such as {@code OOM kill vm3} or {@code balloon -512 MiB}.
 *
 * @param x where it happened, in the chart's x unit
 * @param label what happened
 */
public record Marker(double x, String label) {}
