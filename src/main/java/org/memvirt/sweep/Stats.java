package org.memvirt.sweep;

/**
 * The interval estimates of a sweep: Student's t interval for the mean of per-host values, and the Wilson score
 * interval for a share of hosts. Both at {@link #LEVEL}; the t quantile is computed from the regularised incomplete
 * beta function (Abramowitz and Stegun 26.7.1: P(T <= t) = 1 - I_x(nu/2, 1/2) / 2 with x = nu / (nu + t^2)).
 */
public final class Stats {
    /** The confidence level of every interval a sweep prints. */
    public static final double LEVEL = 0.95;
    /** The standard normal quantile for {@link #LEVEL}, two-sided: Phi^-1(0.975). */
    static final double Z = 1.959963984540054;
    private static final double EPS = 1e-15;
    private static final int MAX_ITERATIONS = 300;

    private Stats() {}

    /**
     * The mean of {@code values} with Student's t interval at {@link #LEVEL}: mean -/+ t(n-1) s / sqrt(n). With one
     * value the interval is unknown (null bounds); with no spread it is the mean itself.
     */
    public static Estimate mean(double[] values) {
        return mean(values, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /**
     * {@link #mean(double[])} of values known to lie in [{@code min}, {@code max}], its interval cut to that range: the
     * mean lies there too, so the cut interval covers it at least as often.
     */
    public static Estimate mean(double[] values, double min, double max) {
        int n = values.length;
        if (n == 0) throw new IllegalArgumentException("no values");
        double sum = 0;
        for (double v : values) sum += v;
        double mean = sum / n;
        if (n == 1) return new Estimate(mean, null, null, 1);
        double squares = 0;
        for (double v : values) squares += (v - mean) * (v - mean);
        double half = tQuantile(0.5 + LEVEL / 2, n - 1) * Math.sqrt(squares / (n - 1) / n);
        return new Estimate(mean, Math.max(min, mean - half), Math.min(max, mean + half), n);
    }

    /**
     * {@code k} of {@code n} with Wilson's score interval at {@link #LEVEL} (E. B. Wilson, "Probable inference, the law
     * of succession, and statistical inference", JASA 22, 1927): unlike the normal approximation it stays inside
     * [0, 1] and is not empty at 0 of n.
     */
    public static Share share(int k, int n) {
        if (n <= 0 || k < 0 || k > n) throw new IllegalArgumentException(k + " of " + n);
        double p = (double) k / n;
        double z2 = Z * Z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new Share(k, n, Math.max(0, centre - half), Math.min(1, centre + half));
    }

    /** The {@code p} quantile of Student's t with {@code nu} degrees of freedom (p in (0.5, 1)), by bisection. */
    static double tQuantile(double p, int nu) {
        if (!(p > 0.5 && p < 1) || nu < 1) throw new IllegalArgumentException("p " + p + ", nu " + nu);
        double lo = 0;
        double hi = 1;
        while (tCdf(hi, nu) < p) hi *= 2;
        for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
            double mid = (lo + hi) / 2;
            if (tCdf(mid, nu) < p) lo = mid;
            else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /** P(T <= t) for t >= 0 (Abramowitz and Stegun 26.7.1 through 26.5.27). */
    static double tCdf(double t, int nu) {
        double x = nu / (nu + t * t);
        return 1 - 0.5 * incompleteBeta(x, nu / 2.0, 0.5);
    }

    /**
     * The regularised incomplete beta function I_x(a, b), from its continued fraction (Abramowitz and Stegun 26.5.8),
     * evaluated with the modified Lentz method; for x above the mean a/(a+b) through the symmetry I_x(a, b) =
     * 1 - I_(1-x)(b, a), where the fraction converges fast.
     */
    static double incompleteBeta(double x, double a, double b) {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
        double front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x)) / a;
        double tiny = 1e-300;
        double f = 1;
        double c = 1;
        double d = 0;
        for (int i = 0; i <= MAX_ITERATIONS; i++) {
            int m = i / 2;
            double numerator;
            if (i == 0) numerator = 1;
            else if (i % 2 == 0) numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            else numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + numerator * d;
            if (Math.abs(d) < tiny) d = tiny;
            d = 1 / d;
            c = 1 + numerator / c;
            if (Math.abs(c) < tiny) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.abs(1 - delta) < EPS) return front * (f - 1);
        }
        throw new ArithmeticException("incomplete beta did not converge at x " + x + ", a " + a + ", b " + b);
    }

    /**
     * ln Gamma(z) for z > 0: Lanczos's approximation with g = 7 and nine coefficients (C. Lanczos, "A precision
     * approximation of the gamma function", SIAM J. Numer. Anal. B 1, 1964; coefficients as tabulated by P. Godfrey),
     * about 15 significant digits.
     */
    static double lnGamma(double z) {
        if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - lnGamma(1 - z);
        double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
                1.5056327351493116e-7};
        double zm = z - 1;
        double sum = g[0];
        for (int i = 1; i < g.length; i++) sum += g[i] / (zm + i);
        double t = zm + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (zm + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    /**
     * A mean and its interval at {@link #LEVEL}.
     *
     * @param mean the mean over hosts
     * @param lo the interval's low end, or null with one host
     * @param hi the interval's high end, or null with one host
     * @param n the number of hosts
     */
    public record Estimate(double mean, Double lo, Double hi, int n) {}

    /**
     * {@code count} of {@code n} hosts, with Wilson's interval for the share.
     *
     * @param count hosts that had it
     * @param n hosts
     * @param lo the interval's low end, a share in [0, 1]
     * @param hi the interval's high end
     */
    public record Share(int count, int n, double lo, double hi) {
        public double share() {
            return (double) count / n;
        }
    }
}
