/* cpio newc parsing: lookups, and every malformed archive refused cleanly. */
#include <stdlib.h>
#include <skiff/ramfs.h>
#include "tap.h"

static uint8_t arc[8192];
static size_t arc_len;

static void add(const char *name, uint32_t mode, const char *data, const char *magic)
{
	size_t dlen = data ? strlen(data) : 0, nlen = strlen(name) + 1;
	arc_len += (size_t)sprintf((char *)arc + arc_len,
		"%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		magic, 1u, mode, 0u, 0u, 1u, 0u, (unsigned)dlen, 0u, 0u, 0u, 0u,
		(unsigned)nlen, 0u);
	memcpy(arc + arc_len, name, nlen);
	arc_len += nlen;
	while (arc_len % 4)
		arc[arc_len++] = 0;
	if (dlen)
		memcpy(arc + arc_len, data, dlen);
	arc_len += dlen;
	while (arc_len % 4)
		arc[arc_len++] = 0;
}

static void build(void)
{
	arc_len = 0;
	memset(arc, 0, sizeof(arc));
	add(".", 040755, NULL, "070701");
	add("etc", 040755, NULL, "070701");
	add("etc/pktgen.conf", 0100644, "size=60\nrate=1000\n", "070701");
	add("./a", 0100644, "A", "070702");
	add("empty", 0100644, NULL, "070701");
	add("TRAILER!!!", 0, NULL, "070701");
}

int main(void)
{
	struct ramfs fs;
	char err[128];
	const void *data;
	size_t len;

	build();
	ok(ramfs_open(&fs, arc, arc_len, err, sizeof(err)) == 0, "valid archive opens: %s", err);
	is_u64(fs.files, 3, "three regular files");
	ok(ramfs_lookup(&fs, "/etc/pktgen.conf", &data, &len) == 0 && len == 18 &&
	   memcmp(data, "size=60\nrate=1000\n", 18) == 0, "absolute path");
	ok(ramfs_lookup(&fs, "etc/pktgen.conf", &data, &len) == 0, "relative path");
	ok(ramfs_lookup(&fs, "./etc/pktgen.conf", &data, &len) == 0, "./ path");
	ok(ramfs_lookup(&fs, "/a", &data, &len) == 0 && len == 1, "name stored with ./");
	ok(ramfs_lookup(&fs, "/empty", &data, &len) == 0 && len == 0, "empty file");
	ok(ramfs_lookup(&fs, "/etc", &data, &len) < 0, "a directory is not a file");
	ok(ramfs_lookup(&fs, "/nope", &data, &len) < 0, "missing file");

	/* Padding after the trailer (cpio pads to 512 bytes) is fine. */
	ok(ramfs_open(&fs, arc, arc_len + 300, err, sizeof(err)) == 0, "trailing padding accepted");

	/* Every truncation is refused without reading past the end (ASan). */
	int all_refused = 1;
	for (size_t cut = 0; cut < arc_len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, arc, cut);
		if (ramfs_open(&fs, copy, cut, err, sizeof(err)) == 0) {
			all_refused = 0;
			printf("# cut at %zu accepted\n", cut);
		}
		free(copy);
	}
	ok(all_refused, "all %zu truncations refused", arc_len);
	ramfs_open(&fs, arc, 50, err, sizeof(err));
	ok(strstr(err, "truncated") != NULL, "message says truncated: %s", err);

	build();
	memcpy(arc, "070707", 6);
	ok(ramfs_open(&fs, arc, arc_len, err, sizeof(err)) < 0 && strstr(err, "bad magic"),
	   "old binary/odc magic refused: %s", err);

	build();
	arc[6 + 8] = 'z';	/* mode field */
	ok(ramfs_open(&fs, arc, arc_len, err, sizeof(err)) < 0 && strstr(err, "field"),
	   "non-hex field refused: %s", err);

	char longname[300];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	arc_len = 0;
	add(longname, 0100644, "x", "070701");
	add("TRAILER!!!", 0, NULL, "070701");
	ok(ramfs_open(&fs, arc, arc_len, err, sizeof(err)) < 0 && strstr(err, "name size"),
	   "oversize name refused: %s", err);

	arc_len = 0;
	add("a", 0100644, "x", "070701");
	ok(ramfs_open(&fs, arc, arc_len, err, sizeof(err)) < 0 && strstr(err, "TRAILER"),
	   "missing trailer refused: %s", err);

	/* A file size pointing past the end. */
	build();
	memcpy(arc + 6 + 6 * 8, "7FFFFFFF", 8);	/* filesize of "." */
	ok(ramfs_open(&fs, arc, arc_len, err, sizeof(err)) < 0, "huge file size refused: %s", err);

	ok(ramfs_open(&fs, arc, 0, err, sizeof(err)) < 0, "empty archive refused");
	return done_testing();
}
