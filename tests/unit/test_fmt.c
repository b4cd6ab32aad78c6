/* fmt_vsnprintf against glibc's vsnprintf for every supported conversion. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <skiff/fmt.h>
#include "tap.h"

/* These cases are deliberately outside what printf format checking accepts. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"

/* Formats with both and compares text and return value. */
#define SAME(...)                                                              \
	do {                                                                   \
		char a_[128], b_[128];                                         \
		int na_ = fmt_snprintf(a_, sizeof(a_), __VA_ARGS__);           \
		int nb_ = snprintf(b_, sizeof(b_), __VA_ARGS__);               \
		if (!ok(na_ == nb_ && strcmp(a_, b_) == 0, "%s", #__VA_ARGS__)) \
			printf("#   skiff '%s' (%d), glibc '%s' (%d)\n", a_, na_, \
			       b_, nb_);                                       \
	} while (0)

int main(void)
{
	SAME("plain text");
	SAME("%d %d %d %d", 0, 1, -1, 42);
	SAME("%d %d", INT_MAX, INT_MIN);
	SAME("%i", -12345);
	SAME("%u %u", 0u, UINT_MAX);
	SAME("%x %X %x", 0xdeadbeefu, 0xabcdefu, 0u);
	SAME("%o %o", 8u, 0u);
	SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, 0x123456789abcdefUL);
	SAME("%lld %llu", LLONG_MIN, ULLONG_MAX);
	SAME("%zu %zx", (size_t)12345, (size_t)0xfff);
	SAME("%hd %hu %hhd %hhu", (short)-3, (unsigned short)65535, (signed char)-5, (unsigned char)250);
	SAME("%hd", 70000);	/* truncated to short */
	SAME("%c%c%c", 'a', 'b', 'c');
	SAME("[%5c] [%-5c]", 'x', 'y');
	SAME("%s|%s", "hello", "");
	SAME("[%10s] [%-10s]", "right", "left");
	SAME("[%.3s] [%10.2s]", "truncate", "ab");
	SAME("[%*d] [%-*d]", 6, 42, 6, 42);
	SAME("[%.*s]", 2, "xyz");
	SAME("[%5d] [%-5d] [%05d]", 42, 42, 42);
	SAME("[%05d] [%+d] [% d] [%+d]", -42, 42, 42, -42);
	SAME("[%08x] [%#x] [%#X] [%#o] [%#x]", 0xbeefu, 0xbeefu, 0xbeefu, 8u, 0u);
	SAME("[%#010x] [%-#10x]", 0x1fu, 0x1fu);
	SAME("[%.5d] [%8.5d] [%-8.5d] [%.0d] [%5.0d]", 42, 42, -42, 0, 0);
	SAME("[%.0x] [%#.0o]", 0u, 0u);
	SAME("[%012llx]", 0x1234ULL);
	SAME("[%-+6d]", 7);
	SAME("%p", (void *)0x1234);
	SAME("[%18p]", (void *)0xdeadbeef);
	SAME("100%%");
	SAME("%s=%u.%03u", "x", 5u, 7u);

	/* Truncation: C99 semantics, always NUL-terminated. */
	char small[8];
	int n = fmt_snprintf(small, sizeof(small), "%s", "0123456789");
	is_u64(n, 10, "return value is the full length");
	is_str(small, "0123456", "output truncated and terminated");
	n = fmt_snprintf(small, 1, "abc");
	ok(n == 3 && small[0] == '\0', "size 1 gives an empty string");
	n = fmt_snprintf(NULL, 0, "%d", 12345);
	is_u64(n, 5, "size 0 only measures");

	/* What glibc leaves undefined, we define: unknown conversions show up. */
	char buf[32];
	fmt_snprintf(buf, sizeof(buf), "a%qb");
	is_str(buf, "a%qb", "unknown conversion printed as is");
	fmt_snprintf(buf, sizeof(buf), "end%");
	is_str(buf, "end", "lone % at the end is dropped");
	fmt_snprintf(buf, sizeof(buf), "%s", (char *)NULL);
	is_str(buf, "(null)", "NULL string");
	fmt_snprintf(buf, sizeof(buf), "%p", NULL);
	is_str(buf, "(nil)", "NULL pointer");
	return done_testing();
}
