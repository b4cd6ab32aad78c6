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

/* The only interrupts: the APIC timer that ends cpu_idle(), and spurious. */
#define VEC_WAKE	0x40
#define VEC_SPURIOUS	0xff

void gdt_init(void);
void idt_init(void);

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
