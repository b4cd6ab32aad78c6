/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A read-only file lookup over a cpio "newc" archive, the initrd format that
 * `find . | cpio -o -H newc` (or scripts/mkinitrd) writes. The whole archive
 * is validated once by ramfs_open(); lookups then trust it. Pure code,
 * unit-tested on the host.
 */
#ifndef SKIFF_RAMFS_H
#define SKIFF_RAMFS_H

#include <skiff/compiler.h>

#define RAMFS_NAME_MAX 255

struct ramfs {
	const uint8_t *base;
	size_t len;		/* bytes up to and including the trailer */
	unsigned files;		/* regular files */
};

/*
 * Checks every header of the archive at @base: magic 070701/070702, hex
 * fields, name length (1..RAMFS_NAME_MAX+1 with its NUL), that names and data
 * stay inside @len, and that a TRAILER!!! entry ends it. Returns 0, or -1
 * with a message in @err (e.g. "bad magic at offset 0", "truncated").
 */
int ramfs_open(struct ramfs *fs, const void *base, size_t len, char *err,
	       size_t errlen);

/*
 * Finds the regular file @path ("/etc/x.conf", "etc/x.conf" and
 * "./etc/x.conf" are the same). Returns 0 and its contents, or -1.
 */
int ramfs_lookup(const struct ramfs *fs, const char *path, const void **data,
		 size_t *len);

/* The initrd the kernel was booted with (files == 0 and len == 0 if none). */
extern struct ramfs initrd;

#endif
