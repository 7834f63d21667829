package org.memvirt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.memvirt.report.HtmlReport;
import org.memvirt.report.Json;
import org.memvirt.report.OutputFile;
import org.memvirt.report.WalkGrid;
import org.memvirt.workload.DocumentLoader;
import org.memvirt.workload.LocatedTree;
import org.memvirt.x86.Access;
import org.memvirt.x86.AddressSpace;
import org.memvirt.x86.AddressSpaceSpec;
import org.memvirt.x86.ControlRegs;
import org.memvirt.x86.EptViolation;
import org.memvirt.x86.MemRef;
import org.memvirt.x86.Mmu;
import org.memvirt.x86.NptFault;
import org.memvirt.x86.Paging;
import org.memvirt.x86.PfErrorCode;
import org.memvirt.x86.RefLog;
import org.memvirt.x86.TlbConfig;
import org.memvirt.x86.WalkResult;
import org.memvirt.x86.X86Exception;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memvirt translate}: builds or loads an address space and explains one translation, reference by reference. */
@Command(name = "translate", mixinStandardHelpOptions = true,
        description = "Explain one x86 address translation: every page-table reference (native, shadow, EPT or NPT).")
final class TranslateCommand implements Runnable {
    @Option(names = "--gva", required = true, description = "Guest virtual (linear) address, hex 0x... or decimal.")
    String gva;

    @Option(names = "--mmu", defaultValue = "ept", description = "ept, npt, shadow or native (default ${DEFAULT-VALUE}).")
    String mmu;

    @Option(names = "--guest-levels", defaultValue = "4", description = "Guest paging levels, 4 or 5.")
    int guestLevels;

    @Option(names = "--host-levels", defaultValue = "4", description = "EPT/NPT levels, 4 or 5.")
    int hostLevels;

    @Option(names = "--guest-page", defaultValue = "4K", description = "Guest page size: 4K, 2M or 1G.")
    String guestPage;

    @Option(names = "--host-page", defaultValue = "4K", description = "Host (EPT/NPT) page size: 4K, 2M or 1G.")
    String hostPage;

    @Option(names = "--access", defaultValue = "read,user", paramLabel = "read|write|fetch[,user|,supervisor]",
            description = "read, write or fetch, with ,user or ,supervisor (or ,supervisor,implicit; default ${DEFAULT-VALUE}).")
    String access;

    @Option(names = "--warm", defaultValue = "0",
            description = "0: cold, no caches. N > 0: with TLBs, page-walk caches and nested TLB, first translate N neighbouring 4K pages (gva XOR k<<12), then the target.")
    int warm;

    @Option(names = "--tlb", defaultValue = "zen5", description = "TLB and cache preset: zen5 or golden-cove.")
    String tlb;

    @Option(names = "--spec", description = "Load the address space from a JSON description instead of building one.")
    Path spec;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Option(names = "--report", paramLabel = "FILE.html",
            description = "Also write an HTML report: the 2D walk as its (n+1)x(m+1) grid, cells numbered in access "
                    + "order, and every reference.")
    Path reportFile;

    @Spec
    CommandSpec cmd;

    /** One reference, with addresses in hex. */
    record Ref(int step, String dim, int level, String table, String gpa, String hpa, String entry) {}

    /** A fault: kind, #PF error code or exit qualification / EXITINFO1, and the GPA for nested faults. */
    record Fault(String kind, String errorCode, String decoded, String faultGpa) {}

    record Report(String mmu, String gva, String access, int warm, List<Ref> refs, int totalRefs, int guestRefs,
                  int nestedRefs, boolean tlbHit, String gpa, String hpa, String pageSize, Fault fault) {}

    @Override
    public void run() {
        OutputFile html = reportFile == null ? null : OutputFile.check("--report", reportFile).notOver(spec, "the spec file");
        long la = AddressSpaceSpec.parseAddress(gva, "--gva");
        int acc = Access.parse(access);
        if (warm < 0 || warm > 511) throw new X86Exception("--warm must be 0..511");
        TlbConfig tlbConfig = TlbConfig.preset(tlb);                        // checked even when --warm 0 uses no TLB
        AddressSpace as = spec != null ? load(spec) : build(la);
        RefLog log = new RefLog();
        WalkResult r = new WalkResult();
        if (warm == 0) {
            as.coldWalker(log).translate(la, acc, as.guestMode(), r);     // no caches: the (n+1)(m+1)-1 walk
        } else {
            Mmu m = as.mmu(tlbConfig, log);
            for (int k = 1; k <= warm; k++) m.translate(la ^ ((long) k << Paging.SHIFT_4K), acc, as.guestMode(), r);
            log.clear();
            m.translate(la, acc, as.guestMode(), r);
        }
        Report report = report(as, la, acc, log, r);
        if (html != null) writeReport(html, as, log, r, report);
        PrintWriter out = cmd.commandLine().getOut();
        if (json) out.println(Json.write(report));
        else print(out, report);
        out.flush();
    }

    private static void writeReport(OutputFile file, AddressSpace as, RefLog log, WalkResult r, Report rep) {
        HtmlReport h = new HtmlReport("memvirt translate " + rep.gva() + " (" + rep.mmu() + ")");
        h.section("The walk");
        String path = "GVA " + rep.gva() + (rep.gpa() == null ? "" : " → GPA " + rep.gpa())
                + (rep.hpa() == null ? "" : " → HPA " + rep.hpa()) + (rep.pageSize() == null ? "" : " (" + rep.pageSize()
                + " page)");
        String summary = rep.tlbHit() ? "TLB hit: no page-table references" : rep.totalRefs() + " memory references ("
                + rep.guestRefs() + " guest, " + rep.nestedRefs() + " nested)" + (rep.warm() == 0 && as.kind().nested()
                ? "; with 4K pages a cold walk reads (n+1)(m+1)-1 = " + ((levels(as.guestMode().cr4) + 1)
                * (levels(as.hostMode().cr4) + 1) - 1) : "");
        String fault = rep.fault() == null ? "" : "\nfault " + rep.fault().kind() + " " + rep.fault().decoded();
        if (as.kind().nested()) {
            int n = levels(as.guestMode().cr4), m = levels(as.hostMode().cr4);
            int leaf = (as.hostPageShift() - Paging.SHIFT_4K) / 9 + 1;
            List<WalkGrid.Cell> cells = WalkCells.cells(log.toList(WalkCells.GUEST, WalkCells.NESTED), n, m, leaf,
                    r.ok() ? r.pa : -1);
            h.chart("Rows: guest levels, then the final guest-physical address; columns: nested levels, then the "
                    + "host-physical access. Each cell is numbered in access order.", new WalkGrid("2D walk, " + n
                    + "-level guest under " + m + "-level " + rep.mmu().toUpperCase(java.util.Locale.ROOT), n, m, cells,
                    path + "\n" + summary + fault).render());
        } else {
            h.paragraph(path);
            h.paragraph("A one-dimensional walk (" + rep.mmu() + "): " + summary + fault.replace("\n", "; "));
        }
        h.section("References");
        List<List<String>> rows = new ArrayList<>();
        for (Ref ref : rep.refs()) {
            rows.add(List.of(Integer.toString(ref.step()), ref.dim(), Integer.toString(ref.level()), ref.table(),
                    ref.gpa(), ref.hpa(), ref.entry()));
        }
        h.table("in access order", List.of("step", "dim", "level", "table", "gpa", "hpa", "entry"), rows);
        h.write(file);
    }

    private static int levels(long cr4) {
        return (cr4 & ControlRegs.CR4_LA57) != 0 ? 5 : 4;
    }

    /** --mmu is a word of a fixed set: a usage error otherwise (docs/exit-codes.md), as run's --mmu. */
    private AddressSpace.Kind kind() {
        try {
            return AddressSpace.Kind.parse(mmu);
        } catch (X86Exception e) {
            throw new RunCommand.UsageError(e.getMessage());
        }
    }

    private AddressSpace build(long la) {
        AddressSpace as = new AddressSpace(kind(), guestLevels, hostLevels,
                Paging.parsePageSize(guestPage), Paging.parsePageSize(hostPage));
        as.mapPage(la);
        for (int k = 1; k <= warm; k++) as.mapPage(la ^ ((long) k << Paging.SHIFT_4K));
        return as;
    }

    private static AddressSpace load(Path file) {
        LocatedTree tree = DocumentLoader.read(file, "address-space spec");
        try {
            return Json.mapper().treeToValue(tree.toJson(), AddressSpaceSpec.class).build();
        } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            throw new X86Exception(specError(e, tree, file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new X86Exception(file + ": " + e.getOriginalMessage().lines().findFirst().orElse("not an address-space spec"));
        }
    }

    /** {@code FILE:LINE:COLUMN: FIELD: what is wrong}, without Jackson's Java type names. */
    private static String specError(com.fasterxml.jackson.databind.exc.MismatchedInputException e, LocatedTree tree,
            Path file) {
        StringBuilder path = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
            else path.append('[').append(r.getIndex()).append(']');
        }
        String where = tree.at(path.toString()).where(file.toString()) + ": " + (path.isEmpty() ? "" : path + ": ");
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            List<String> known = u.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            return where + "unknown field (expected one of " + String.join(", ", known) + ")";
        }
        Class<?> type = e.getTargetType();
        String expected = type == null ? "another value" : Number.class.isAssignableFrom(type) || type == int.class
                ? "a whole number" : List.class.isAssignableFrom(type) ? "a list" : type == String.class ? "text" : "a mapping";
        return where + "expected " + expected;
    }

    private Report report(AddressSpace as, long la, int acc, RefLog log, WalkResult r) {
        String guestDim = switch (as.kind()) {
            case NATIVE -> "native";
            case SHADOW -> "shadow";
            default -> "guest";
        };
        String nestedDim = as.kind().name().toLowerCase(java.util.Locale.ROOT);
        List<Ref> refs = new ArrayList<>();
        int guestRefs = 0;
        for (MemRef ref : log.toList(guestDim, nestedDim)) {
            if (ref.dim().equals(guestDim)) guestRefs++;
            refs.add(new Ref(ref.step(), ref.dim(), ref.level(), ref.table(), hex(ref.gpa()), hex(ref.hpa()),
                    hex(ref.entry())));
        }
        boolean ok = r.ok();
        boolean nested = as.kind().nested();
        return new Report(nestedDim, hex(la), Access.name(acc), warm, refs, r.refs, guestRefs, r.refs - guestRefs,
                r.tlbHit, ok && nested && !r.tlbHit ? hex(r.gpa) : null, ok ? hex(r.pa) : null,   // TLB: gva to hpa
                ok ? Paging.pageSizeName(r.pageShift) : null, ok ? null : fault(r));
    }

    private static Fault fault(WalkResult r) {
        String decoded = switch (r.fault) {
            case WalkResult.PAGE_FAULT -> "#PF " + PfErrorCode.describe(r.errorCode);
            case WalkResult.GP -> "#GP(0) non-canonical address";
            case WalkResult.EPT_VIOLATION -> "exit " + EptViolation.EXIT_REASON + " " + EptViolation.describe(r.errorCode);
            case WalkResult.EPT_MISCONFIG -> "exit " + EptViolation.MISCONFIG_EXIT_REASON;
            case WalkResult.NPF -> "#VMEXIT(NPF) 0x" + Integer.toHexString(NptFault.EXIT_CODE) + " "
                    + PfErrorCode.describe(r.errorCode & 0xFFFF)
                    + ((r.errorCode & NptFault.GUEST_PAGE) != 0 ? " guest-page-table" : " final-gpa");
            default -> "";
        };
        boolean nestedFault = r.fault >= WalkResult.EPT_VIOLATION;
        return new Fault(WalkResult.kindName(r.fault), hex(r.errorCode), decoded, nestedFault ? hex(r.faultGpa) : null);
    }

    private static void print(PrintWriter out, Report rep) {
        out.printf("translate %s  mmu %s  access %s  warm %d%n", rep.gva(), rep.mmu(), rep.access(), rep.warm());
        if (rep.tlbHit()) out.println("TLB hit: no page-table references");
        if (!rep.refs().isEmpty()) {
            out.printf("%4s  %-6s %5s  %-5s %-18s %-18s %-18s%n", "step", "dim", "level", "table", "gpa", "hpa",
                    "entry");
            for (Ref ref : rep.refs()) {
                out.printf("%4d  %-6s %5d  %-5s %-18s %-18s %-18s%n", ref.step(), ref.dim(), ref.level(),
                        ref.table(), ref.gpa(), ref.hpa(), ref.entry());
            }
        }
        out.printf("total_refs %d (linear-dimension %d, nested %d)%n", rep.totalRefs(), rep.guestRefs(),
                rep.nestedRefs());
        if (rep.fault() == null) {
            out.printf("gpa %s  hpa %s  page %s%n", rep.gpa() == null ? "-" : rep.gpa(), rep.hpa(), rep.pageSize());
        } else {
            out.printf("fault %s  code %s  %s%s%n", rep.fault().kind(), rep.fault().errorCode(),
                    rep.fault().decoded(), rep.fault().faultGpa() == null ? "" : "  gpa " + rep.fault().faultGpa());
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
