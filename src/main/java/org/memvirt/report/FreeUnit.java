package org.memvirt.report;

/** The unit {@link FreeTable} prints in, as {@code free}'s unit options choose it (procps-ng 4 src/free.c). */
public enum FreeUnit {
    BYTES("-b", 1L),
    KIBI("-k", 1L << 10),                 // free's default unit
    MEBI("-m", 1L << 20),
    GIBI("-g", 1L << 30),
    TEBI("--tebi", 1L << 40),
    PEBI("--pebi", 1L << 50),
    KILO("--kilo", 1_000L),
    MEGA("--mega", 1_000_000L),
    GIGA("--giga", 1_000_000_000L),
    TERA("--tera", 1_000_000_000_000L),
    PETA("--peta", 1_000_000_000_000_000L);

    private final String option;
    private final long bytesPerUnit;

    FreeUnit(String option, long bytesPerUnit) {
        this.option = option;
        this.bytesPerUnit = bytesPerUnit;
    }

    /** The {@code free} option that selects this unit. */
    public String option() {
        return option;
    }

    public long bytesPerUnit() {
        return bytesPerUnit;
    }

    /** {@code bytes} in this unit, truncated toward zero as free does. */
    public long fromBytes(long bytes) {
        return bytes / bytesPerUnit;
    }
}
