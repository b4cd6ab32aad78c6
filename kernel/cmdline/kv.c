/* SPDX-License-Identifier: BSD-3-Clause */
/* key=value tokenizer shared by the command line and config files. */
#include <skiff/config.h>
#include <skiff/fmt.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void fail(char *err, size_t errlen, const char *what, const char *key,
		 const char *origin, unsigned line)
{
	if (line)
		fmt_snprintf(err, errlen, "%s%s%s (%s line %u)", key, *key ? ": " : "",
			     what, origin, line);
	else
		fmt_snprintf(err, errlen, "%s%s%s (%s)", key, *key ? ": " : "", what,
			     origin);
}

int kv_parse(char *text, struct kvlist *out, const char *origin, bool numbered,
	     char *err, size_t errlen)
{
	unsigned line = 1;
	char *p = text;

	for (;;) {
		while (is_blank(*p))
			if (*p++ == '\n')
				line++;
		if (!*p)
			return 0;
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}

		unsigned at = numbered ? line : 0;
		char *key = p, *val = NULL;
		while (*p && !is_blank(*p) && *p != '=')
			p++;
		if (p == key) {
			fail(err, errlen, "'=' without a key", "", origin, at);
			return -1;
		}
		if (*p == '=') {
			*p++ = '\0';
			if (*p == '"') {
				val = ++p;
				while (*p && *p != '"' && *p != '\n')
					p++;
				if (*p != '"') {
					fail(err, errlen, "unterminated quote", key,
					     origin, at);
					return -1;
				}
				*p++ = '\0';
			} else {
				val = p;
				while (*p && !is_blank(*p))
					p++;
			}
		}
		if (*p) {
			if (*p == '\n')
				line++;
			else if (!is_blank(*p)) {
				fail(err, errlen, "text after the closing quote",
				     key, origin, at);
				return -1;
			}
			*p++ = '\0';
		}
		if (out->n == CONFIG_MAX_KV) {
			fail(err, errlen, "too many settings (at most 64)", "",
			     origin, at);
			return -1;
		}
		out->kv[out->n++] = (struct kv){ key, val, origin, at };
	}
}
