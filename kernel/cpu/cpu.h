/* SPDX-License-Identifier: BSD-3-Clause */
/* Kernel-internal CPU definitions. */
#ifndef SKIFF_KERNEL_CPU_H
#define SKIFF_KERNEL_CPU_H

#include <skiff/compiler.h>

#define SEL_KCODE	0x08
#define SEL_KDATA	0x10
#define SEL_TSS		0x18

/* What the exception stubs in traps.S push, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * The only interrupts: the APIC timer that ends cpu_idle(), the IPI that
 * wakes a halted CPU for work (kernel/smp), and spurious. NMIs stop CPUs.
 */
#define VEC_NMI		2
#define VEC_DF		8
#define VEC_WAKE	0x40
#define VEC_IPI		0x41
#define VEC_SPURIOUS	0xff

/* Interrupt stack table slots (1-based, as in the IDT gate). */
#define IST_DF		1
#define IST_NMI		2

#define MSR_APIC_BASE	0x1b
#define MSR_GS_BASE	0xc0000101

/*
 * The local APIC (lapic.c). lapic_send() writes @icr for the CPU with APIC
 * id @apic_id and waits until its APIC accepted it: 0, or -1 if it never did.
 */
#define ICR_FIXED	0x00004000u	/* | vector; edge, assert */
#define ICR_NMI		0x00004400u
#define ICR_INIT	0x0000c500u	/* level triggered, assert */
#define ICR_INIT_DEASSERT 0x00008500u
#define ICR_STARTUP	0x00004600u	/* | the start page number */
void lapic_init_ap(void);
bool lapic_present(void);
uint32_t lapic_id(void);
int lapic_send(uint32_t apic_id, uint32_t icr);
void lapic_timer_stop(void);

struct percpu;
void gdt_load(struct percpu *pc);
void idt_init(void);
void idt_load(void);

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			     "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			     : "a"(leaf), "c"(sub));
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	return v;
}

#endif
