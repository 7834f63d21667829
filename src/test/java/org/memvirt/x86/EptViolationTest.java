package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Exit-qualification bits of an EPT violation (SDM Vol 3C §27.2.1, Table 27-7) and their rendering. */
class EptViolationTest {
    @Test
    void bitsAreThoseOfTable27_7() {
        assertThat(new long[] {EptViolation.READ, EptViolation.WRITE, EptViolation.FETCH, EptViolation.READABLE,
            EptViolation.WRITABLE, EptViolation.EXECUTABLE, EptViolation.USER_EXECUTABLE, EptViolation.GLA_VALID,
            EptViolation.GLA_TRANSLATION}).containsExactly(1, 2, 4, 8, 16, 32, 64, 128, 256);
    }

    @Test
    void describesSetBitsInBitOrder() {
        assertThat(EptViolation.describe(0)).isEqualTo("0");
        assertThat(EptViolation.describe(EptViolation.READ)).isEqualTo("READ");
        assertThat(EptViolation.describe(EptViolation.GLA_TRANSLATION | EptViolation.WRITE))
                .isEqualTo("WRITE|GLA_TRANSLATION");
        assertThat(EptViolation.describe(0x1ff)).isEqualTo(
                "READ|WRITE|FETCH|READABLE|WRITABLE|EXECUTABLE|USER_EXECUTABLE|GLA_VALID|GLA_TRANSLATION");
    }

    @Test
    void bitsAboveTheNamedOnesAreNotRendered() {
        assertThat(EptViolation.describe(1L << 9)).isEqualTo("0");
        assertThat(EptViolation.describe((1L << 9) | EptViolation.FETCH)).isEqualTo("FETCH");
    }
}
