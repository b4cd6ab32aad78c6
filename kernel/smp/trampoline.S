/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where an application processor starts. The startup IPI (SIPI) wakes it in
 * real mode at CS:IP = (vector << 8):0, so these bytes are copied to a page
 * below 1 MiB (SMP_TRAMPOLINE in kernel/smp/start.c) and must not depend on
 * where they were linked: the only addresses in them are offsets from CS and
 * absolute addresses in the kernel image. All they do is leave real mode for
 * 32-bit protected mode on the kernel's boot_gdt and jump into the kernel
 * proper (ap_start32 in kernel/boot/entry.S), which takes the boot CPU's own
 * way into long mode.
 */
#include "boot.h"

	.section .rodata
	.code16
	.balign 16
	.globl ap_trampoline, ap_trampoline_end
ap_trampoline:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	lgdtl	gdt_ptr - ap_trampoline
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	$BOOT_SEL_CODE32, $ap_start32

	.balign 8
gdt_ptr:
	.word	BOOT_GDT_LIMIT
	.long	boot_gdt
ap_trampoline_end:
