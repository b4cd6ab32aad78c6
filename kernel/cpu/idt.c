/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IDT, one for all CPUs: the 32 exception vectors, plus the APIC timer
 * that wakes cpu_idle(), the IPI that wakes a worker for work and the APIC's
 * spurious vector. Devices are polled: no other interrupt is ever enabled.
 */
#include "cpu.h"

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t reserved;
} __packed;

#define GATE_INTERRUPT	0x8e	/* present, DPL 0, 64-bit interrupt gate */

extern const uint64_t trap_stubs[32];
extern const char irq_wake[], irq_ipi[], irq_spurious[];
static struct idt_gate idt[256] __aligned(16);

static void set_gate(unsigned v, uint64_t off, uint8_t ist)
{
	idt[v] = (struct idt_gate){
		.off0 = off & 0xffff,
		.sel = SEL_KCODE,
		.ist = ist,
		.type = GATE_INTERRUPT,
		.off1 = (off >> 16) & 0xffff,
		.off2 = off >> 32,
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < 32; v++)
		set_gate(v, trap_stubs[v],
			 v == VEC_DF ? IST_DF : v == VEC_NMI ? IST_NMI : 0);
	set_gate(VEC_WAKE, (uintptr_t)irq_wake, 0);
	set_gate(VEC_IPI, (uintptr_t)irq_ipi, 0);
	set_gate(VEC_SPURIOUS, (uintptr_t)irq_spurious, 0);
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = { sizeof(idt) - 1, (uintptr_t)idt };

	__asm__ __volatile__("lidt %0" : : "m"(ptr));
}
