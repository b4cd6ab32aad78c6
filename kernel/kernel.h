/* SPDX-License-Identifier: BSD-3-Clause */
/* Kernel-internal interfaces between the subsystems in kernel/. */
#ifndef SKIFF_KERNEL_H
#define SKIFF_KERNEL_H

#include <skiff/compiler.h>
#include "mem/memmap.h"

/* What the boot protocol told us, in one form. */
struct boot_info {
	const char *proto;		/* "pvh" or "multiboot" */
	const char *cmdline;		/* never NULL */
	uint64_t initrd_base, initrd_len;	/* len 0: no initrd */
	struct memmap map;		/* as reported, before reservations */
};

/* Fills @bi from the registers the boot stub saved; stops the VM on failure. */
void boot_info_parse(uint32_t proto, uint32_t info, struct boot_info *bi);

void kmain(uint32_t proto, uint32_t info);
void cpu_init(void);
void lapic_init(void);

/* Configuration (kernel/cmdline/config.c). */
struct nf;
void config_early(const char *cmdline);
int config_load(const struct nf *nf);
void mem_init(struct boot_info *bi);
void paging_init(uint64_t top);

/* Symbols from kernel.ld and entry.S. */
extern char __image_start[], __image_end[], __bss_start[], __bss_end[];
extern char boot_stack_bottom[], boot_stack_top[];
extern uint64_t boot_pml4[];

extern const char build_image[], build_rev[], build_opts[], build_cc[], build_tag[];

#endif
