/* SPDX-License-Identifier: BSD-3-Clause */
/* printf-style formatting; see include/skiff/fmt.h for what is supported. */
#include <skiff/fmt.h>

struct out {
	char *buf;
	size_t size;
	size_t len;	/* what the full output would be */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

enum {
	F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16,
};

/*
 * One integer conversion: digits of @v in @base, then sign/prefix, precision
 * zeros and width padding in the order C99 prescribes.
 */
static void put_int(struct out *o, uint64_t v, bool neg, unsigned base,
		    bool upper, int flags, int width, int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	const char *prefix = "";

	if (v == 0 && prec == 0) {
		n = 0;
	} else {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	if (neg)
		prefix = "-";
	else if (flags & F_PLUS)
		prefix = "+";
	else if (flags & F_SPACE)
		prefix = " ";
	if ((flags & F_ALT) && base == 16 && n > 0 && !(n == 1 && tmp[0] == '0'))
		prefix = upper ? "0X" : "0x";
	if ((flags & F_ALT) && base == 8 && (prec <= n) && !(n > 0 && tmp[n - 1] == '0'))
		prec = n + 1;

	int plen = 0;
	while (prefix[plen])
		plen++;
	int zeros = prec > n ? prec - n : 0;
	int total = plen + zeros + n;
	int fill = width > total ? width - total : 0;

	if (prec < 0 && (flags & F_ZERO) && !(flags & F_LEFT)) {
		zeros += fill;
		fill = 0;
	}
	if (!(flags & F_LEFT))
		pad(o, ' ', fill);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		pad(o, ' ', fill);
}

static void put_str(struct out *o, const char *s, int flags, int width, int prec)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (prec < 0 || n < prec))
		n++;
	if (!(flags & F_LEFT))
		pad(o, ' ', width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (flags & F_LEFT)
		pad(o, ' ', width - n);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;

		int flags = 0;
		for (;; fmt++) {
			if (*fmt == '-') flags |= F_LEFT;
			else if (*fmt == '0') flags |= F_ZERO;
			else if (*fmt == '+') flags |= F_PLUS;
			else if (*fmt == ' ') flags |= F_SPACE;
			else if (*fmt == '#') flags |= F_ALT;
			else break;
		}

		int width = 0;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}

		int prec = -1;
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				if (prec < 0)
					prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}

		int lng = 0;	/* -2 hh, -1 h, 0 int, 1 long, 2 long long */
		if (*fmt == 'h') {
			lng = -1;
			if (*++fmt == 'h') {
				lng = -2;
				fmt++;
			}
		} else if (*fmt == 'l') {
			lng = 1;
			if (*++fmt == 'l') {
				lng = 2;
				fmt++;
			}
		} else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j') {
			lng = 2;	/* size_t, ptrdiff_t, intmax_t are 64-bit here */
			fmt++;
		}

		uint64_t u;
		int64_t s;
		switch (*fmt) {
		case 'd':
		case 'i':
			if (lng == 2) s = va_arg(ap, long long);
			else if (lng == 1) s = va_arg(ap, long);
			else s = va_arg(ap, int);
			if (lng == -1) s = (short)s;
			if (lng == -2) s = (signed char)s;
			u = s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;
			put_int(&o, u, s < 0, 10, false, flags, width, prec);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng == 2) u = va_arg(ap, unsigned long long);
			else if (lng == 1) u = va_arg(ap, unsigned long);
			else u = va_arg(ap, unsigned int);
			if (lng == -1) u = (unsigned short)u;
			if (lng == -2) u = (unsigned char)u;
			flags &= ~(F_PLUS | F_SPACE);
			put_int(&o, u, false,
				*fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				*fmt == 'X', flags, width, prec);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			if (!u) {
				put_str(&o, "(nil)", flags, width, -1);
				break;
			}
			put_int(&o, u, false, 16, false,
				(flags & ~(F_PLUS | F_SPACE)) | F_ALT, width, prec);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - 1);
			put(&o, c);
			if (flags & F_LEFT)
				pad(&o, ' ', width - 1);
			break;
		}
		case 's':
			put_str(&o, va_arg(ap, const char *), flags, width, prec);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;	/* lone '%' at the end: stop */
			break;
		default:
			/* Unknown conversion: print it as is, visibly. */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
