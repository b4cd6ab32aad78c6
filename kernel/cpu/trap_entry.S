/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry stubs for the 32 CPU exceptions. Each pushes a uniform frame (a dummy
 * error code where the CPU pushes none, then the vector) and jumps to
 * trap_common, which saves the registers and hands struct trap_frame to
 * trap_handler(). Exceptions are fatal in Skiff, so nothing returns.
 */
	.text
	.code64

.macro TRAP_NOERR vec
	.balign 16
trap_\vec:
	pushq	$0
	pushq	$\vec
	jmp	trap_common
.endm

.macro TRAP_ERR vec
	.balign 16
trap_\vec:
	pushq	$\vec
	jmp	trap_common
.endm

TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR   8
TRAP_NOERR 9
TRAP_ERR   10
TRAP_ERR   11
TRAP_ERR   12
TRAP_ERR   13
TRAP_ERR   14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR   17
TRAP_NOERR 18
TRAP_NOERR 19
TRAP_NOERR 20
TRAP_ERR   21
TRAP_NOERR 22
TRAP_NOERR 23
TRAP_NOERR 24
TRAP_NOERR 25
TRAP_NOERR 26
TRAP_NOERR 27
TRAP_NOERR 28
TRAP_ERR   29
TRAP_ERR   30
TRAP_NOERR 31

trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	mov	%rsp, %rdi
	and	$~15, %rsp		/* ABI stack alignment for C */
	call	trap_handler
1:	cli
	hlt
	jmp	1b

/* The two interrupts: call a C function that acknowledges them, return.
 * They only ever interrupt hlt, but save what a C call may clobber all the
 * same. irq_wake is the APIC timer that ends cpu_idle(), irq_ipi the IPI
 * that wakes a worker for work. */
.macro IRQ_STUB name, handler
	.balign 16
	.globl \name
\name:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	call	\handler
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	iretq
.endm

IRQ_STUB irq_wake, lapic_timer_irq
IRQ_STUB irq_ipi, lapic_eoi

/* Spurious APIC interrupts need no EOI. */
	.balign 16
	.globl irq_spurious
irq_spurious:
	iretq

	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_\v
	.endr
