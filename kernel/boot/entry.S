/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Skiff's first instructions. Two boot protocols land here, both in 32-bit
 * protected mode with paging off:
 *
 *   multiboot v1  eax = 0x2BADB002, ebx = struct multiboot_info
 *   PVH           ebx = struct hvm_start_info (magic 0x336ec578)
 *
 * Both converge on boot32, which clears BSS, builds identity page tables for
 * the first 4 GiB with 2 MiB pages (kernel/mem/paging.c extends them to all
 * RAM later), enters long mode, enables SSE and calls kmain(proto, info).
 * The other CPUs come through here later (ap_start32, from the real-mode
 * trampoline in kernel/smp/trampoline.S): the same way into long mode, on
 * the page tables the boot CPU built, into ap_main().
 *
 * Why the multiboot header uses the a.out kludge: QEMU refuses a 64-bit ELF
 * through multiboot, so the multiboot image is the flat binary of this same
 * kernel (build/<nf>.mb) and the header itself tells the loader where it goes.
 * The ELF64 image (build/<nf>.elf) is linked with its first segment at file
 * offset 0x2000, so QEMU's 8 KiB multiboot scan does not see the header and
 * takes the PVH note instead (scripts/check-image verifies both).
 */
#include "boot.h"

#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	(MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMINFO | MB_FLAG_AOUT_KLUDGE)
#define MB_FLAG_PAGE_ALIGN	(1 << 0)
#define MB_FLAG_MEMINFO		(1 << 1)
#define MB_FLAG_AOUT_KLUDGE	(1 << 16)

#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define SEL_CODE32	BOOT_SEL_CODE32
#define SEL_DATA	BOOT_SEL_DATA
#define SEL_CODE64	BOOT_SEL_CODE64

	.section .boot.header, "a"
	.balign 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header		/* header_addr */
	.long __image_start	/* load_addr */
	.long __load_end	/* load_end_addr: end of file contents */
	.long __bss_end		/* bss_end_addr: loader zeroes up to here */
	.long _start_mb		/* entry_addr */

	.section .note.pvh, "a", @note
	.balign 4
	.long 4				/* namesz */
	.long 4				/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long _start_pvh
	.balign 4

	.section .boot.text, "ax"
	.code32
	.globl _start_mb
_start_mb:
	mov	%eax, %ebp		/* protocol magic travels in ebp */
	jmp	boot32

	.globl _start_pvh
_start_pvh:
	mov	$BOOT_PROTO_PVH, %ebp

boot32:
	cli
	cld
	lgdt	boot_gdt_ptr
	ljmp	$SEL_CODE32, $1f
1:	mov	$SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs

	/* The boot info pointer moves to esi (cpuid clobbers ebx); ebp keeps
	 * the protocol. BSS holds the stack: clear it before pushing anything. */
	mov	%ebx, %esi
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	shr	$2, %ecx		/* kernel.ld: both ends 64-byte aligned */
	xor	%eax, %eax
	rep stosl			/* under TCG, each iteration costs the same */
	mov	$boot_stack_top, %esp

	/* Long mode is the one thing we cannot do without. */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	no_long_mode
	mov	$0x80000001, %eax
	cpuid
	bt	$29, %edx
	jnc	no_long_mode

	/* PML4[0] -> PDPT; PDPT[0..3] -> 4 page directories of 2 MiB pages. */
	mov	$boot_pdpt, %eax
	or	$(PTE_P | PTE_W), %eax
	mov	%eax, boot_pml4
	xor	%ecx, %ecx
2:	mov	%ecx, %eax
	shl	$12, %eax
	add	$boot_pd, %eax
	or	$(PTE_P | PTE_W), %eax
	mov	%eax, boot_pdpt(, %ecx, 8)
	inc	%ecx
	cmp	$4, %ecx
	jb	2b
	xor	%ecx, %ecx
3:	mov	%ecx, %eax
	shl	$21, %eax
	or	$(PTE_P | PTE_W | PTE_PS), %eax
	mov	%eax, boot_pd(, %ecx, 8)
	mov	%ecx, %eax
	shr	$11, %eax		/* bits 32+ of the address: i >> 11 */
	mov	%eax, boot_pd + 4(, %ecx, 8)
	inc	%ecx
	cmp	$2048, %ecx
	jb	3b
	mov	$boot64, %edi
	jmp	long_mode_enter

	/* An application processor, from the trampoline: protected mode on
	 * boot_gdt, paging off, no stack. */
	.globl ap_start32
ap_start32:
	mov	$SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	$ap_start64, %edi

	/* Paging on boot_pml4, long mode, SSE; then on to the 64-bit code at
	 * edi. Touches no memory but the page tables. */
long_mode_enter:
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	and	$~CR0_EM, %eax
	or	$(CR0_PG | CR0_PE | CR0_MP), %eax
	mov	%eax, %cr0
	ljmp	$SEL_CODE64, $long_mode

	/* Nothing is set up to print with: write to COM1 directly, then stop
	 * through isa-debug-exit if present, else halt with interrupts off. */
no_long_mode:
	mov	$msg_no_lm, %esi
4:	lodsb
	test	%al, %al
	jz	5f
	mov	$0x3f8, %dx
	out	%al, %dx
	jmp	4b
5:	mov	$BOOT_EXIT_CODE_NO_LM, %eax
	mov	$0xf4, %dx
	out	%eax, %dx
6:	hlt
	jmp	6b

	.code64
long_mode:
	xor	%eax, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	mov	%edi, %edi		/* the upper half is undefined after the switch */
	jmp	*%rdi

boot64:
	mov	$boot_stack_top, %rsp
	mov	%ebp, %edi		/* kmain(proto, info) */
	mov	%esi, %esi		/* zero-extend */
	xor	%ebp, %ebp		/* ends frame-pointer walks */
	call	kmain
7:	cli
	hlt
	jmp	7b

	/* ap_main(cpu) on the stack kernel/smp/start.c chose for this CPU. */
ap_start64:
	mov	ap_boot_stack(%rip), %rsp
	mov	ap_boot_cpu(%rip), %rdi
	xor	%ebp, %ebp
	call	ap_main
8:	cli
	hlt
	jmp	8b

	.section .boot.rodata, "a"
	.balign 8
	.globl boot_gdt
boot_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
boot_gdt_end:
	.if boot_gdt_end - boot_gdt - 1 - BOOT_GDT_LIMIT
	.error "boot_gdt and BOOT_GDT_LIMIT disagree"
	.endif
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt
msg_no_lm:
	.asciz "skiff: this CPU has no long mode (x86-64); cannot boot\r\n"

	.section .bss
	.balign 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
	.globl boot_pd
boot_pd:	.skip 4 * 4096
	.balign 16
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
