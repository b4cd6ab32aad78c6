/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The out-of-line string functions gcc falls back to. Built with -fno-lto and
 * without loop-to-memset pattern detection (see kernel.mk), so gcc can neither
 * drop them during LTO nor turn their loops back into calls to themselves.
 */
#include <stdint.h>
#include <skiff/string.h>

/* The header routes these names to gcc's builtins; here they are defined. */
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen

/*
 * Eight bytes at a time: rep movsq for the bulk (fast strings on hardware),
 * then rep movsb for the tail. Under TCG every iteration of a rep
 * instruction is emulated on its own, so moving bytes one by one would cost
 * eight times as many for the frame copies NFs make.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *ret = dst;
	size_t words = n >> 3, tail = n & 7;

	__asm__ __volatile__("rep movsq"
			     : "+D"(dst), "+S"(src), "+c"(words) : : "memory");
	__asm__ __volatile__("rep movsb"
			     : "+D"(dst), "+S"(src), "+c"(tail) : : "memory");
	return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

/*
 * Eight bytes at a time too, the byte repeated across a word: mem_alloc()
 * clears every allocation, and one rep stosb over a netbuf pool (megabytes)
 * cost pktgen's start-up 14 ms under TCG.
 */
void *memset(void *dst, int c, size_t n)
{
	void *ret = dst;
	size_t words = n >> 3, tail = n & 7;
	uint64_t v = (uint8_t)c * 0x0101010101010101ULL;

	__asm__ __volatile__("rep stosq"
			     : "+D"(dst), "+c"(words) : "a"(v) : "memory");
	__asm__ __volatile__("rep stosb"
			     : "+D"(dst), "+c"(tail) : "a"(v) : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}


