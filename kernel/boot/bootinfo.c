/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Boot information from either protocol, reduced to struct boot_info:
 * memory map, command line, initrd. Layouts: the Multiboot 0.6.96
 * specification and Xen's public arch-x86/hvm/start_info.h (PVH).
 */
#include <skiff/console.h>
#include <skiff/shutdown.h>
#include <skiff/string.h>
#include "../kernel.h"
#include "boot.h"

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;	/* KiB, flag 0 */
	uint32_t boot_device;
	uint32_t cmdline;		/* flag 2 */
	uint32_t mods_count, mods_addr;	/* flag 3 */
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;	/* flag 6 */
} __packed;

#define MB_INFO_MEM	(1 << 0)
#define MB_INFO_CMDLINE	(1 << 2)
#define MB_INFO_MODS	(1 << 3)
#define MB_INFO_MMAP	(1 << 6)

struct mb_mmap_entry {
	uint32_t size;		/* of the rest of the entry */
	uint64_t addr, len;
	uint32_t type;
} __packed;

struct mb_module {
	uint32_t start, end, cmdline, pad;
};

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;		/* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

#define CMDLINE_MAX 2048
static char cmdline_copy[CMDLINE_MAX];

static __noreturn void boot_fail(const char *why)
{
	printf("skiff: cannot boot: %s\n", why);
	shutdown(EXIT_FAULT);
}

/* The command line lives in loader memory we are about to reuse: copy it. */
static const char *save_cmdline(uint64_t paddr)
{
	const char *src = (const char *)(uintptr_t)paddr;
	size_t n;

	if (!paddr)
		return "";
	n = strnlen(src, CMDLINE_MAX);
	if (n == CMDLINE_MAX) {
		log_warn("boot: command line longer than %d bytes, truncated\n",
			 CMDLINE_MAX - 1);
		n = CMDLINE_MAX - 1;
	}
	memcpy(cmdline_copy, src, n);
	cmdline_copy[n] = '\0';
	return cmdline_copy;
}

static void add_range(struct boot_info *bi, uint64_t base, uint64_t len,
		      uint32_t type)
{
	if (memmap_add(&bi->map, base, len, type) < 0)
		log_warn("boot: memory map has more than %d ranges; ignoring %#llx+%#llx\n",
			 MEMMAP_MAX, (unsigned long long)base,
			 (unsigned long long)len);
}

/* Multiboot loaders (QEMU, GRUB) pass "<kernel path> <arguments>". */
static const char *skip_first_word(const char *s)
{
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	return s;
}

static void parse_multiboot(const struct mb_info *mbi, struct boot_info *bi)
{
	bi->proto = "multiboot";
	if (mbi->flags & MB_INFO_CMDLINE)
		bi->cmdline = skip_first_word(save_cmdline(mbi->cmdline));

	if (mbi->flags & MB_INFO_MMAP) {
		uintptr_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
		while (p + sizeof(struct mb_mmap_entry) <= end) {
			const struct mb_mmap_entry *e = (const void *)p;
			add_range(bi, e->addr, e->len, e->type);
			p += e->size + sizeof(e->size);
		}
	} else if (mbi->flags & MB_INFO_MEM) {
		add_range(bi, 0, (uint64_t)mbi->mem_lower << 10, MEM_USABLE);
		add_range(bi, 1 << 20, (uint64_t)mbi->mem_upper << 10, MEM_USABLE);
	}

	if ((mbi->flags & MB_INFO_MODS) && mbi->mods_count) {
		const struct mb_module *mod = (const void *)(uintptr_t)mbi->mods_addr;
		bi->initrd_base = mod->start;
		bi->initrd_len = mod->end - mod->start;
	}
}

static void parse_pvh(const struct hvm_start_info *si, struct boot_info *bi)
{
	bi->proto = "pvh";
	bi->cmdline = save_cmdline(si->cmdline_paddr);
	bi->rsdp = si->rsdp_paddr;

	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_entry *e =
			(const void *)(uintptr_t)si->memmap_paddr;
		for (uint32_t i = 0; i < si->memmap_entries; i++)
			add_range(bi, e[i].addr, e[i].size, e[i].type);
	}

	if (si->nr_modules && si->modlist_paddr) {
		const struct hvm_modlist_entry *mod =
			(const void *)(uintptr_t)si->modlist_paddr;
		bi->initrd_base = mod->paddr;
		bi->initrd_len = mod->size;
	}
}

void boot_info_parse(uint32_t proto, uint32_t info, struct boot_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->cmdline = "";

	if (proto == BOOT_PROTO_MULTIBOOT) {
		parse_multiboot((const void *)(uintptr_t)info, bi);
	} else if (proto == BOOT_PROTO_PVH) {
		const struct hvm_start_info *si = (const void *)(uintptr_t)info;
		if (si->magic != BOOT_PROTO_PVH) {
			printf("skiff: PVH start_info magic is %#x, want %#x\n",
			       si->magic, BOOT_PROTO_PVH);
			boot_fail("bad PVH start info");
		}
		parse_pvh(si, bi);
	} else {
		printf("skiff: unknown boot protocol magic %#x (multiboot passes %#x in eax;"
		       " PVH enters through the Xen ELF note)\n",
		       proto, BOOT_PROTO_MULTIBOOT);
		boot_fail("unknown boot protocol");
	}

	if (memmap_total(&bi->map, MEM_USABLE) == 0)
		boot_fail("the boot loader passed no memory map");
}
