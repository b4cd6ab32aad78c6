/* SPDX-License-Identifier: BSD-3-Clause */
/* Constants shared by the boot assembly and the C that reads boot info. */
#ifndef SKIFF_KERNEL_BOOT_H
#define SKIFF_KERNEL_BOOT_H

#define BOOT_PROTO_MULTIBOOT	0x2BADB002	/* eax from a multiboot v1 loader */
#define BOOT_PROTO_PVH		0x336ec578	/* hvm_start_info magic */

#define BOOT_STACK_SIZE		(64 * 1024)

/* boot_gdt (entry.S): the segments of the way into long mode, which the
 * application processors' trampoline (kernel/smp/trampoline.S) takes too. */
#define BOOT_SEL_CODE32		0x08
#define BOOT_SEL_DATA		0x10
#define BOOT_SEL_CODE64		0x18
#define BOOT_GDT_LIMIT		(4 * 8 - 1)

#define CR0_PE		(1 << 0)
#define CR0_MP		(1 << 1)
#define CR0_EM		(1 << 2)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define CR4_OSFXSR	(1 << 9)
#define CR4_OSXMMEXCPT	(1 << 10)
#define MSR_EFER	0xC0000080
#define EFER_LME	(1 << 8)

#define PTE_P	(1 << 0)
#define PTE_W	(1 << 1)
#define PTE_PWT	(1 << 3)
#define PTE_PCD	(1 << 4)
#define PTE_PS	(1 << 7)

/* isa-debug-exit status when the CPU cannot run 64-bit code (EXIT_FAULT). */
#define BOOT_EXIT_CODE_NO_LM	(16 + 4)

#endif
