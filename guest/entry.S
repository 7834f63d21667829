/*
 * CPL0 part of the memvirt guest runtime: boot, exception stubs and the system-call services.
 * On these hosts CPL0 code may be run by KVM's instruction emulator (about 1-2 us per instruction), so every path
 * here is a handful of instructions; all workload code runs at CPL3 (runtime.c).
 */
#include "layout.h"

        .section .note.GNU-stack, "", @progbits
        .section .text.entry, "ax"
        .code64
        .globl _start
/* The VMM enters here at CPL0 in long mode with rdi = vCPU index and rsp = that vCPU's CPL0 stack top. */
_start:
        mov     %rdi, %rbx
        test    %rdi, %rdi
        jnz     1f
        call    boot_tables             /* vCPU 0 builds the IDT and the TSS descriptors (runtime.c) */
1:      lgdt    gdt_ptr
        lidt    idt_ptr
        mov     %rbx, %rax
        shl     $4, %rax
        add     $TSS_SEL0, %rax
        ltr     %ax
        /* iretq to umain(cpu) at CPL3 with IOPL 3 (OUT allowed), on this vCPU's user stack */
        mov     %rbx, %rax
        inc     %rax
        imul    $USTACK_SIZE, %rax
        add     $USTACK_BASE, %rax
        mov     %rbx, %rdi
        pushq   $UDATA_SEL
        push    %rax
        pushq   $0x3002
        pushq   $UCODE_SEL
        pushq   $umain
        iretq

/*
 * The CPL0 services CPL3 cannot do itself (OUT, INVLPG, MOV CR3, MOV CR4), entered with UD2 from CPL3: PVM hosts raise #UD
 * for INT n in guest user mode, so the runtime's system call is a #UD whose instruction is UD2 (0F 0B); the handler
 * steps over it. Any other #UD is fatal.
 */
        .globl  isr_syscall
isr_syscall:
        push    %rcx
        mov     8(%rsp), %rcx           /* the RIP of the faulting instruction */
        cmpw    $0x0B0F, (%rcx)
        pop     %rcx
        jne     fatal6
        addq    $2, (%rsp)
        cmp     $SYS_OUT, %rax
        jne     9f
        mov     %esi, %eax              /* SYS_OUT: report to the VMM */
        mov     %edi, %edx
        outl    %eax, %dx
        iretq
9:      cmp     $SYS_INVLPG_LIST, %rax
        je      2f
        cmp     $SYS_SWITCH, %rax
        je      4f
        cmp     $SYS_SWITCH_PCID, %rax
        je      10f
        cmp     $SYS_INVLPG_LIST_ALL, %rax
        je      16f
        mov     %rdi, %cr3              /* SYS_SET_CR3 */
        iretq
2:      test    %rdi, %rdi
        jz      3f
        mov     (%rsi), %rax
        invlpg  (%rax)
        add     $8, %rsi
        dec     %rdi
        jnz     2b
3:      iretq
4:      test    %rdi, %rdi              /* SYS_SWITCH: rdi loads of CR3, round-robin p -> (p + 1) mod nproc */
        jz      6f
5:      inc     %rdx
        cmp     %rsi, %rdx
        jb      7f
        xor     %edx, %edx
7:      mov     SHARED_BASE + SH_CR3(,%rdx,8), %rax
        mov     %rax, %cr3
        dec     %rdi
        jnz     5b
6:      mov     %rdx, %rax
        iretq
10:     mov     %cr4, %rax              /* SYS_SWITCH_PCID: as SYS_SWITCH with CR3 = PML4 | (p + 1) | bit 63 */
        bt      $17, %rax
        jc      11f
        bts     $17, %rax               /* CR4.PCIDE; CR3[11:0] is 0 here, PCID 0 is current (SDM Vol 3A 4.10.1) */
        mov     %rax, %cr4
11:     push    %rcx
        test    %rdi, %rdi
        jz      14f
12:     inc     %rdx
        cmp     %rsi, %rdx
        jb      13f
        xor     %edx, %edx
13:     mov     SHARED_BASE + SH_CR3(,%rdx,8), %rax
        lea     1(%rdx), %rcx
        or      %rcx, %rax
        bts     $63, %rax               /* no flush: the new PCID's TLB entries stay (SDM Vol 3A 4.10.4.1) */
        mov     %rax, %cr3
        dec     %rdi
        jnz     12b
14:     pop     %rcx
        mov     %rdx, %rax
        iretq
16:     test    %rdi, %rdi              /* SYS_INVLPG_LIST_ALL: as SYS_INVLPG_LIST, on a vCPU with CR4.PCIDE set */
        jz      18f
17:     mov     (%rsi), %rax
        invlpg  (%rax)                  /* the current PCID only (and globals): other PCIDs may still map the page */
        add     $8, %rsi
        dec     %rdi
        jnz     17b
18:     mov     %cr4, %rax
        btr     $17, %rax
        mov     %rax, %cr4              /* PCIDE 1 -> 0 flushes every PCID (SDM Vol 3A 4.10.4.1) */
        mov     %cr3, %rdx
        and     $~0xFFF, %rdx
        mov     %rdx, %cr3              /* PCID 0, so that PCIDE may be set again (SDM Vol 3A 4.10.1) */
        bts     $17, %rax
        mov     %rax, %cr4
        iretq

/* #PF: save the caller-saved registers, let C map the page (demand paging) or report a fatal fault. */
        .globl  isr_pf
isr_pf:
        push    %rax
        push    %rcx
        push    %rdx
        push    %rsi
        push    %rdi
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        mov     %rsp, %rdi
        call    page_fault
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rdi
        pop     %rsi
        pop     %rdx
        pop     %rcx
        pop     %rax
        add     $8, %rsp                /* error code */
        iretq

/* Every other exception is fatal: report vector, error code and RIP to the VMM. */
        .macro  FATAL_NOERR n
fatal\n: pushq  $0
        pushq   $\n
        jmp     fatal_common
        .endm
        .macro  FATAL_ERR n
fatal\n: pushq  $\n
        jmp     fatal_common
        .endm
        FATAL_NOERR 0
        FATAL_NOERR 1
        FATAL_NOERR 2
        FATAL_NOERR 3
        FATAL_NOERR 4
        FATAL_NOERR 5
        FATAL_NOERR 6
        FATAL_NOERR 7
        FATAL_ERR   8
        FATAL_NOERR 9
        FATAL_ERR   10
        FATAL_ERR   11
        FATAL_ERR   12
        FATAL_ERR   13
        FATAL_ERR   14
        FATAL_NOERR 15
        FATAL_NOERR 16
        FATAL_ERR   17
        FATAL_NOERR 18
        FATAL_NOERR 19
        FATAL_NOERR 20
        FATAL_ERR   21
fatal_common:
        mov     %rsp, %rdi              /* [vector, error, rip, cs, rflags, rsp, ss] */
        call    fatal_trap              /* does not return */
8:      hlt
        jmp     8b

        .section .rodata
        .globl  fatal_stubs
        .balign 8
fatal_stubs:
        .quad fatal0, fatal1, fatal2, fatal3, fatal4, fatal5, fatal6, fatal7, fatal8, fatal9, fatal10
        .quad fatal11, fatal12, fatal13, fatal14, fatal15, fatal16, fatal17, fatal18, fatal19, fatal20, fatal21

        .section .data
        .balign 16
gdt_ptr:
        .word   (5 + 2 * MAX_VCPUS) * 8 - 1
        .quad   gdt
idt_ptr:
        .word   256 * 16 - 1
        .quad   idt
