package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The --access syntax: read/write/fetch, then ,user | ,supervisor | ,supervisor,implicit (never for a fetch). */
class AccessTest {
    @Test
    void parsesEachKindAndMode() {
        assertThat(Access.parse("read")).isEqualTo(Access.READ);
        assertThat(Access.parse("write")).isEqualTo(Access.WRITE);
        assertThat(Access.parse("fetch")).isEqualTo(Access.FETCH);
        assertThat(Access.parse("read,supervisor")).isEqualTo(Access.READ);
        assertThat(Access.parse("write,user")).isEqualTo(Access.WRITE | Access.USER);
        assertThat(Access.parse("fetch,user")).isEqualTo(Access.FETCH | Access.USER);
        assertThat(Access.parse("write,supervisor,implicit")).isEqualTo(Access.WRITE | Access.IMPLICIT);
        assertThat(Access.parse("read,supervisor,implicit")).isEqualTo(Access.IMPLICIT);
    }

    @Test
    void refusesFetchImplicitAndUnknownWords() {
        // SDM Vol 3A §4.6: instruction fetches are never implicit supervisor-mode accesses
        for (String bad : new String[] {"fetch,supervisor,implicit", "exec", "read,root", "", ",user", "write,",
            "read,user,implicit"}) {
            assertThatThrownBy(() -> Access.parse(bad)).isInstanceOf(X86Exception.class)
                    .hasMessage("--access must be read, write or fetch, optionally followed by ,user, ,supervisor or"
                            + " ,supervisor,implicit (not for fetch), not '" + bad + "'");
        }
    }

    @Test
    void namesRoundTripThroughParse() {
        assertThat(Access.name(Access.READ)).isEqualTo("read,supervisor");
        assertThat(Access.name(Access.WRITE | Access.USER)).isEqualTo("write,user");
        assertThat(Access.name(Access.FETCH | Access.USER)).isEqualTo("fetch,user");
        assertThat(Access.name(Access.FETCH)).isEqualTo("fetch,supervisor");
        assertThat(Access.name(Access.READ | Access.IMPLICIT)).isEqualTo("read,supervisor,implicit");
        assertThat(Access.name(Access.WRITE | Access.IMPLICIT)).isEqualTo("write,supervisor,implicit");
        int[] all = {Access.READ, Access.WRITE, Access.FETCH | Access.USER, Access.WRITE | Access.IMPLICIT};
        for (int a : all) {
            assertThat(Access.parse(Access.name(a))).isEqualTo(a);
        }
    }

    @Test
    void predicatesReadTheirOwnBit() {
        assertThat(Access.user(Access.USER)).isTrue();
        assertThat(Access.user(Access.WRITE | Access.FETCH | Access.IMPLICIT)).isFalse();
        assertThat(Access.write(Access.WRITE)).isTrue();
        assertThat(Access.write(Access.USER)).isFalse();
        assertThat(Access.fetch(Access.FETCH)).isTrue();
        assertThat(Access.fetch(Access.WRITE)).isFalse();
    }
}
