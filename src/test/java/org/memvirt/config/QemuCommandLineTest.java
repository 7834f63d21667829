package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import org.junit.jupiter.api.Test;

/** QEMU's first pass: options, their values, disk images, the program name; and the whole line through QemuArgs. */
class QemuCommandLineTest {
    static final List<String> SEED = List.of("-enable-kvm", "-smp", "2", "-m", "4G", "rhel7.img", "-daemonize");

    static List<QemuArg> split(String... words) {
        return QemuCommandLine.split(List.of(words));
    }

    static ConfigException error(String... words) {
        return catchThrowableOfType(ConfigException.class, () -> QemuArgs.parse(List.of(words)));
    }

    @Test
    void theSeedsLineSplitsIntoOptionsAndADiskImage() {
        assertThat(QemuCommandLine.split(SEED)).containsExactly(new QemuArg("enable-kvm", "-enable-kvm", null),
                new QemuArg("smp", "-smp", "2"), new QemuArg("m", "-m", "4G"), new QemuArg("hda", "", "rhel7.img"),
                new QemuArg("daemonize", "-daemonize", null));
    }

    @Test
    void theSeedsLineResolvesAndKeepsTheOtherOptionsInOrder() {
        MachineConfig c = QemuArgs.parse(SEED);
        assertThat(c.layout().ramSize()).isEqualTo(4L << 30);
        assertThat(c.smp()).isEqualTo(2);
        assertThat(c.otherArgs()).containsExactly("-enable-kvm", "rhel7.img", "-daemonize");
        assertThat(c.qemuArgs()).isEqualTo(QemuCommandLine.split(SEED));
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void aLeadingProgramNameIsDropped() {
        assertThat(split("qemu-system-x86_64", "-m", "1G")).containsExactly(new QemuArg("m", "-m", "1G"));
        assertThat(split("/usr/bin/qemu-system-x86_64", "-m", "1G")).containsExactly(new QemuArg("m", "-m", "1G"));
        assertThat(split("/usr/libexec/qemu-kvm", "-m", "1G")).containsExactly(new QemuArg("m", "-m", "1G"));
        assertThat(split("-m", "1G", "qemu-system-x86_64"))
                .containsExactly(new QemuArg("m", "-m", "1G"), QemuArg.diskImage("qemu-system-x86_64"));
    }

    @Test
    void anOptionTakesTheNextWordWhateverItLooksLike() {
        assertThat(split("--m", "-1", "-append", "--json")).containsExactly(new QemuArg("m", "--m", "-1"),
                new QemuArg("append", "-append", "--json"));
        assertThat(split("-m", "-1").getFirst().location()).isEqualTo("-m -1");
        assertThat(split("-S").getFirst().words()).containsExactly("-S");
        assertThat(QemuArg.diskImage("a b.img").words()).containsExactly("a b.img");
    }

    @Test
    void theFirstPassFailsBeforeAnyOptionIsResolved() {
        assertThat(error("-m", "1.5", "-foo")).hasMessage("-foo: invalid option");
        assertThat(error("-m", "1.5", "-smp")).hasMessage("-smp: requires an argument");
        assertThat(error("-foo", "-m")).hasMessage("-foo: invalid option");
        assertThat(error("--")).hasMessage("--: invalid option");
        assertThat(error("-")).hasMessage("-: invalid option");
    }

    @Test
    void optionsOfOtherTargetsFailWhereTheyStand() {
        assertThat(error("-g", "800x600", "-m", "1.5")).hasMessage("-g 800x600: Option not supported for this target");
        assertThat(error("-m", "1.5", "-g", "800x600").getMessage()).startsWith("-m 1.5: Parameter 'size'");
        assertThat(error("--semihosting")).hasMessage("--semihosting: Option not supported for this target");
    }

    @Test
    void objectsMemvirtDoesNotModelAreCheckedForTypeAndIdOnly() {
        MachineConfig c = QemuArgs.parse(List.of("-object", "iothread,id=io0,poll-max-ns=32768", "-m", "1G"));
        assertThat(c.otherArgs()).containsExactly("-object", "iothread,id=io0,poll-max-ns=32768");
        assertThat(c.qemuWords()).containsExactly("-object", "iothread,id=io0,poll-max-ns=32768", "-m", "1G");
        assertThat(error("-object", "iothread")).hasMessage("-object iothread: Parameter 'id' is missing");
        assertThat(error("-object", "nope,id=x")).hasMessage("-object nope,id=x: Parameter 'qom-type' does not accept value 'nope'");
        assertThat(error("-object", "iothread,id=m0", "-object", "memory-backend-ram,id=m0,size=1G"))
                .hasMessage("-object memory-backend-ram,id=m0,size=1G: Duplicate ID 'm0' for object");
        assertThat(BackendObject.OBJECT_TYPES).hasSize(44).containsAll(BackendObject.KINDS);
    }
}
