package org.memvirt.sweep;

import java.util.List;

/**
 * Where one figure of a drawn VM comes from (its memory, working set, idle time, ...): a constant or a random
 * distribution, in the figure's own unit (bytes, a fraction, nanoseconds). Each draw takes exactly one
 * {@code nextDouble()} from the stream, whatever the distribution, so that the VMs drawn for one host are the same
 * sequence whichever parameters a point varies.
 */
public sealed interface Distribution {
    /** One value, from one uniform variate {@code u} in [0, 1). */
    double value(double u);

    /** One value drawn from {@code draws}. */
    default double draw(Draws draws) {
        return value(draws.nextDouble());
    }

    /** The smallest value this distribution gives, for checks before any draw. */
    double min();

    /** The largest value this distribution gives (infinite for the unbounded ones). */
    double max();

    /** Always {@code value}. */
    record Constant(double value) implements Distribution {
        @Override
        public double value(double u) {
            return value;
        }

        @Override
        public double min() {
            return value;
        }

        @Override
        public double max() {
            return value;
        }
    }

    /** Uniform on [lo, hi). */
    record Uniform(double lo, double hi) implements Distribution {
        public Uniform {
            if (!(hi >= lo)) throw new IllegalArgumentException("uniform needs lo <= hi");
        }

        @Override
        public double value(double u) {
            return lo + u * (hi - lo);
        }

        @Override
        public double min() {
            return lo;
        }

        @Override
        public double max() {
            return hi;
        }
    }

    /** Exponential with the given mean, by inversion: -mean ln(1 - u). */
    record Exponential(double mean) implements Distribution {
        public Exponential {
            if (!(mean > 0)) throw new IllegalArgumentException("exponential needs a positive mean");
        }

        @Override
        public double value(double u) {
            return -mean * Math.log1p(-u);
        }

        @Override
        public double min() {
            return 0;
        }

        @Override
        public double max() {
            return Double.POSITIVE_INFINITY;
        }
    }

    /**
     * Log-normal: {@code median * exp(sigma * Phi^-1(u))}, the median and the standard deviation of the logarithm
     * given; VM sizes in a fleet are roughly so.
     */
    record LogNormal(double median, double sigma) implements Distribution {
        public LogNormal {
            if (!(median > 0) || !(sigma >= 0)) throw new IllegalArgumentException("lognormal needs median > 0, sigma >= 0");
        }

        @Override
        public double value(double u) {
            return median * Math.exp(sigma * NormalQuantile.of(u));
        }

        @Override
        public double min() {
            return 0;
        }

        @Override
        public double max() {
            return Double.POSITIVE_INFINITY;
        }
    }

    /** One of {@code values}, with the given weights (all alike when none are given). */
    record Choice(List<Double> values, List<Double> weights) implements Distribution {
        public Choice {
            values = List.copyOf(values);
            weights = List.copyOf(weights);
            if (values.isEmpty() || values.size() != weights.size()) throw new IllegalArgumentException("choice needs values and as many weights");
            for (double w : weights) if (!(w >= 0)) throw new IllegalArgumentException("weights must be >= 0");
            if (!(total(weights) > 0)) throw new IllegalArgumentException("weights must not all be 0");
        }

        @Override
        public double value(double u) {
            double at = u * total(weights);
            for (int i = 0; i < values.size(); i++) {
                at -= weights.get(i);
                if (at < 0) return values.get(i);
            }
            return values.getLast();                     // u * total rounded up to total itself
        }

        private static double total(List<Double> weights) {
            double t = 0;
            for (double w : weights) t += w;
            return t;
        }

        @Override
        public double min() {
            double m = Double.POSITIVE_INFINITY;
            for (double v : values) m = Math.min(m, v);
            return m;
        }

        @Override
        public double max() {
            double m = Double.NEGATIVE_INFINITY;
            for (double v : values) m = Math.max(m, v);
            return m;
        }
    }
}
