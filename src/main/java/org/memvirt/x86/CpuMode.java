package org.memvirt.x86;

/**
 * The paging state of one logical processor: CR0, CR3, CR4, IA32_EFER, PKRU, RFLAGS.AC and the current VPID, plus the
 * fixed CPU properties paging depends on (MAXPHYADDR, 1-GByte page support). Mutable, so a hot loop reuses one.
 */
public final class CpuMode {
    public long cr0 = ControlRegs.CR0_PG | ControlRegs.CR0_WP;
    public long cr3;
    public long cr4 = ControlRegs.CR4_PAE;
    public long efer = ControlRegs.EFER_LME | ControlRegs.EFER_LMA | ControlRegs.EFER_NXE;
    public int pkru;
    public long rflags;
    /** The current VPID (VMCS field 0x0000); 0 outside a guest or with "enable VPID" = 0. */
    public int vpid;
    public int maxPhysAddr = 48;                                   // CPUID 80000008H EAX[7:0] on this family
    public boolean gbPages = true;                                 // CPUID 80000001H EDX[26] Page1GB

    /** A long-mode processor with CR0.WP and EFER.NXE set and CR3 pointing at {@code cr3}. */
    public static CpuMode longMode(long cr3) {
        CpuMode m = new CpuMode();
        m.cr3 = cr3;
        return m;
    }

    public int levels() { return (cr4 & ControlRegs.CR4_LA57) != 0 ? 5 : 4; }
    public boolean wp() { return (cr0 & ControlRegs.CR0_WP) != 0; }
    public boolean nxe() { return (efer & ControlRegs.EFER_NXE) != 0; }
    public boolean smep() { return (cr4 & ControlRegs.CR4_SMEP) != 0; }
    public boolean smap() { return (cr4 & ControlRegs.CR4_SMAP) != 0; }
    public boolean pke() { return (cr4 & ControlRegs.CR4_PKE) != 0; }
    public boolean pge() { return (cr4 & ControlRegs.CR4_PGE) != 0; }
    public boolean ac() { return (rflags & ControlRegs.RFLAGS_AC) != 0; }
    public int pcid() { return ControlRegs.pcid(cr3, cr4); }
    public long rootTable() { return ControlRegs.cr3Table(cr3, maxPhysAddr); }

    public CpuMode copy() {
        CpuMode m = new CpuMode();
        m.cr0 = cr0; m.cr3 = cr3; m.cr4 = cr4; m.efer = efer; m.pkru = pkru; m.rflags = rflags; m.vpid = vpid;
        m.maxPhysAddr = maxPhysAddr; m.gbPages = gbPages;
        return m;
    }
}
