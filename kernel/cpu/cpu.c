/* SPDX-License-Identifier: BSD-3-Clause */
#include <skiff/cpu.h>
#include "../kernel.h"
#include "cpu.h"

void cpu_init(void)
{
	gdt_init();
	idt_init();
}

/* Skiff brings up the boot CPU only; every per-core table uses slot 0. */
unsigned cpu_id(void)
{
	return 0;
}
