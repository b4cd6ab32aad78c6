/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpio newc: each entry is a 110-byte ASCII header (6-byte magic, 13 fields of
 * 8 hex digits), the NUL-terminated name, padding to 4 bytes, the data,
 * padding to 4 bytes. The archive ends with an entry named TRAILER!!!.
 */
#include <skiff/fmt.h>
#include <skiff/ramfs.h>
#include <skiff/string.h>

#define HDR_LEN		110
#define F_MODE		1
#define F_FILESIZE	6
#define F_NAMESIZE	11
#define S_IFMT		0170000
#define S_IFREG		0100000
#define TRAILER		"TRAILER!!!"

struct entry {
	const char *name;
	const uint8_t *data;
	uint32_t mode, size;
	size_t next;		/* offset of the following header */
};

static int field(const uint8_t *hdr, unsigned i, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned k = 0; k < 8; k++) {
		uint8_t c = hdr[6 + 8 * i + k];
		unsigned d;
		if (c >= '0' && c <= '9') d = c - '0';
		else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
		else return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* Decodes the entry at @off; -1 with @err set when it is malformed. */
static int read_entry(const uint8_t *base, size_t len, size_t off,
		      struct entry *e, char *err, size_t errlen)
{
	const uint8_t *h = base + off;
	uint32_t namesize;

	if (len - off < HDR_LEN) {
		fmt_snprintf(err, errlen, "truncated header at offset %zu", off);
		return -1;
	}
	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2')) {
		fmt_snprintf(err, errlen,
			     "bad magic at offset %zu (not a cpio newc archive)", off);
		return -1;
	}
	for (unsigned i = 0; i < 13; i++) {
		uint32_t dummy;
		if (field(h, i, &dummy) < 0) {
			fmt_snprintf(err, errlen, "bad header field at offset %zu", off);
			return -1;
		}
	}
	field(h, F_MODE, &e->mode);
	field(h, F_FILESIZE, &e->size);
	field(h, F_NAMESIZE, &namesize);
	if (namesize < 2 || namesize > RAMFS_NAME_MAX + 1) {
		fmt_snprintf(err, errlen, "name size %u at offset %zu (allowed 1..%d bytes)",
			     namesize ? namesize - 1 : 0, off, RAMFS_NAME_MAX);
		return -1;
	}
	size_t data_off = ALIGN_UP(off + HDR_LEN + namesize, (size_t)4);
	if (off + HDR_LEN + namesize > len || data_off > len ||
	    len - data_off < e->size) {
		fmt_snprintf(err, errlen, "truncated entry at offset %zu", off);
		return -1;
	}
	e->name = (const char *)h + HDR_LEN;
	if (e->name[namesize - 1] != '\0') {
		fmt_snprintf(err, errlen, "unterminated name at offset %zu", off);
		return -1;
	}
	e->data = base + data_off;
	e->next = ALIGN_UP(data_off + e->size, (size_t)4);
	return 0;
}

static const char *strip(const char *p)
{
	for (;;) {
		if (p[0] == '/')
			p++;
		else if (p[0] == '.' && p[1] == '/')
			p += 2;
		else
			return p;
	}
}

int ramfs_open(struct ramfs *fs, const void *base, size_t len, char *err,
	       size_t errlen)
{
	size_t off = 0;
	struct entry e;

	fs->base = base;
	fs->len = 0;
	fs->files = 0;
	for (;;) {
		if (read_entry(base, len, off, &e, err, errlen) < 0)
			return -1;
		if (strcmp(e.name, TRAILER) == 0) {
			fs->len = e.next < len ? e.next : len;
			return 0;
		}
		if ((e.mode & S_IFMT) == S_IFREG)
			fs->files++;
		if (e.next >= len) {
			fmt_snprintf(err, errlen, "truncated: archive ends without %s",
				     TRAILER);
			return -1;
		}
		off = e.next;
	}
}

int ramfs_lookup(const struct ramfs *fs, const char *path, const void **data,
		 size_t *len)
{
	const char *want = strip(path);
	size_t off = 0;
	struct entry e;
	char err[8];

	while (off < fs->len &&
	       read_entry(fs->base, fs->len, off, &e, err, sizeof(err)) == 0) {
		if (strcmp(e.name, TRAILER) == 0)
			break;
		if ((e.mode & S_IFMT) == S_IFREG && strcmp(strip(e.name), want) == 0) {
			*data = e.data;
			*len = e.size;
			return 0;
		}
		off = e.next;
	}
	return -1;
}
