/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kmain: the boot sequence, top to bottom. Each step may stop the VM with a
 * message and an exit status; after the last one the NF runs and its return
 * value is the VM's exit status.
 */
#include <skiff/console.h>
#include <skiff/nf.h>
#include <skiff/pci.h>
#include <skiff/ramfs.h>
#include <skiff/shutdown.h>
#include <skiff/time.h>
#include "kernel.h"

struct ramfs initrd;
static struct boot_info boot;

static void initrd_init(void)
{
	char err[128];

	if (!boot.initrd_len)
		return;
	if (ramfs_open(&initrd, (const void *)(uintptr_t)boot.initrd_base,
		       boot.initrd_len, err, sizeof(err)) < 0) {
		printf("initrd: %s\n", err);
		printf("initrd: it must be a cpio newc archive (scripts/mkinitrd DIR FILE)\n");
		shutdown(EXIT_CONFIG);
	}
	log_info("initrd: %llu bytes at %#llx, %u files\n",
		 (unsigned long long)boot.initrd_len,
		 (unsigned long long)boot.initrd_base, initrd.files);
}

void kmain(uint32_t proto, uint32_t info)
{
	console_init();
	cpu_init();		/* before printf: its lock asks cpu_id() */
	time_calibration_start();	/* measures while the steps up to time_init() run */
	printf("Skiff %s: image %s, build %s, %s\n", build_rev, build_image,
	       build_opts, build_cc);
	boot_info_parse(proto, info, &boot);
	config_early(boot.cmdline);
	log_info("boot: %s, command line \"%s\"\n", boot.proto, boot.cmdline);
	smp_discover(&boot);
	mem_init(&boot);
	lapic_init();
	pci_init();
	initrd_init();
	if (config_load(&nf_image) < 0)
		shutdown(EXIT_CONFIG);
	time_init();
	lapic_calibrate();
	smp_start(&boot);
	shutdown(nf_image.main());
}
