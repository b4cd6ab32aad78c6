/* SPDX-License-Identifier: BSD-3-Clause */
/* Typed value parsers for configuration settings. Strict: all or nothing. */
#include <skiff/config.h>
#include <skiff/string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

int value_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	if (!s || !*s)
		return -1;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		if (!*p)
			return -1;
		for (; *p; p++) {
			int h = hexval(*p);
			if (h < 0 || v >> 60)
				return -1;
			v = v << 4 | (unsigned)h;
		}
		*out = v;
		return 0;
	}
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p == 'k' || *p == 'K')
		mult = 1000, p++;
	else if (*p == 'M')
		mult = 1000000, p++;
	else if (*p == 'G')
		mult = 1000000000, p++;
	if (*p || (v && v > UINT64_MAX / mult))
		return -1;
	*out = v * mult;
	return 0;
}

int value_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };

	if (!s) {		/* a bare key switches the flag on */
		*out = true;
		return 0;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int value_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];

	if (!s)
		return -1;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0)
			return -1;
		m[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	if (*s)
		return -1;
	memcpy(mac, m, 6);
	return 0;
}

int value_parse_ipv4(const char *s, uint32_t *out)
{
	uint32_t ip = 0;

	if (!s)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned octet = 0, digits = 0;
		while (*s >= '0' && *s <= '9') {
			octet = octet * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || octet > 255)
				return -1;
		}
		if (!digits)
			return -1;
		ip = ip << 8 | octet;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	if (*s)
		return -1;
	*out = ip;
	return 0;
}
