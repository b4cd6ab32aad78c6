/* Command-line/config-file parsing: tokenizer, value parsers, parameter tables. */
#include <skiff/config.h>
#include "tap.h"

static struct kvlist kv;
static char err[512];

static int parse(const char *text, bool numbered)
{
	static char buf[1024];
	snprintf(buf, sizeof(buf), "%s", text);
	kv.n = 0;
	err[0] = 0;
	return kv_parse(buf, &kv, numbered ? "/etc/x.conf" : "command line",
			numbered, err, sizeof(err));
}

static void test_tokenizer(void)
{
	ok(parse("a=1 b=two  c=3", false) == 0 && kv.n == 3, "three pairs");
	is_str(kv.kv[1].key, "b", "second key");
	is_str(kv.kv[1].val, "two", "second value");
	is_u64(kv.kv[2].line, 0, "command line pairs carry no line number");

	ok(parse("  \t\n", false) == 0 && kv.n == 0, "blank input gives no pairs");
	ok(parse("flag x=", false) == 0 && kv.n == 2, "bare key and empty value");
	ok(kv.kv[0].val == NULL, "bare key has no value");
	is_str(kv.kv[1].val, "", "key= has an empty value");
	ok(parse("msg=\"a b  c\" d=4", false) == 0 && kv.n == 2, "quoted value");
	is_str(kv.kv[0].val, "a b  c", "quoted value keeps blanks");
	ok(parse("x=a=b", false) == 0, "value may contain '='");
	is_str(kv.kv[0].val, "a=b", "only the first '=' splits");

	ok(parse("# comment\nsize=60 # trailing\n\n# x=1\nrate=5\r\n", true) == 0 &&
	   kv.n == 2, "comments and CRLF in a file");
	is_u64(kv.kv[0].line, 2, "first pair on line 2");
	is_u64(kv.kv[1].line, 5, "second pair on line 5");
	is_str(kv.kv[1].val, "5", "CR is not part of the value");
	ok(parse("a=b#c", false) == 0, "'#' inside a word is text");
	is_str(kv.kv[0].val, "b#c", "value with '#'");

	ok(parse("=5", false) < 0 && strstr(err, "without a key"), "empty key refused: %s", err);
	ok(parse("a=\"open", false) < 0 && strstr(err, "unterminated"), "unterminated quote: %s", err);
	ok(parse("\n\nk=\"x\"y", true) < 0 && strstr(err, "line 3"), "error names the line: %s", err);

	char many[1024] = "";
	for (int i = 0; i < CONFIG_MAX_KV + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "k%d=1 ", i);
	ok(parse(many, false) < 0 && strstr(err, "too many"), "more than %d pairs refused",
	   CONFIG_MAX_KV);
}

static void test_values(void)
{
	uint64_t u;
	bool b;
	uint8_t mac[6];
	uint32_t ip;

	ok(value_parse_u64("0", &u) == 0 && u == 0, "u64 0");
	ok(value_parse_u64("18446744073709551615", &u) == 0 && u == UINT64_MAX, "u64 max");
	ok(value_parse_u64("18446744073709551616", &u) < 0, "u64 overflow refused");
	ok(value_parse_u64("0x1F", &u) == 0 && u == 31, "hex");
	ok(value_parse_u64("0x", &u) < 0, "bare 0x refused");
	ok(value_parse_u64("0x11112222333344445", &u) < 0, "hex overflow refused");
	ok(value_parse_u64("10k", &u) == 0 && u == 10000, "k suffix");
	ok(value_parse_u64("2M", &u) == 0 && u == 2000000, "M suffix");
	ok(value_parse_u64("1G", &u) == 0 && u == 1000000000, "G suffix");
	ok(value_parse_u64("20000000000G", &u) < 0, "suffix overflow refused");
	ok(value_parse_u64("12x", &u) < 0 && value_parse_u64("-1", &u) < 0 &&
	   value_parse_u64("", &u) < 0 && value_parse_u64(NULL, &u) < 0 &&
	   value_parse_u64("1.5", &u) < 0 && value_parse_u64(" 1", &u) < 0,
	   "garbage refused");

	ok(value_parse_bool("yes", &b) == 0 && b, "yes");
	ok(value_parse_bool("off", &b) == 0 && !b, "off");
	ok(value_parse_bool(NULL, &b) == 0 && b, "bare key is true");
	ok(value_parse_bool("2", &b) < 0 && value_parse_bool("", &b) < 0, "bad booleans refused");

	ok(value_parse_mac("02:00:5e:10:ff:AB", mac) == 0 && mac[0] == 2 && mac[5] == 0xab,
	   "MAC");
	ok(value_parse_mac("02:00:5e:10:ff", mac) < 0, "short MAC refused");
	ok(value_parse_mac("02:00:5e:10:ff:ab:cd", mac) < 0, "long MAC refused");
	ok(value_parse_mac("2:00:5e:10:ff:ab", mac) < 0, "one-digit octet refused");
	ok(value_parse_mac("02-00-5e-10-ff-ab", mac) < 0, "dashes refused");
	ok(value_parse_mac("0g:00:5e:10:ff:ab", mac) < 0, "non-hex refused");

	ok(value_parse_ipv4("198.18.0.1", &ip) == 0 && ip == 0xc6120001, "IPv4");
	ok(value_parse_ipv4("255.255.255.255", &ip) == 0 && ip == 0xffffffff, "broadcast");
	ok(value_parse_ipv4("256.1.1.1", &ip) < 0, "octet > 255 refused");
	ok(value_parse_ipv4("1.2.3", &ip) < 0 && value_parse_ipv4("1.2.3.4.5", &ip) < 0,
	   "wrong octet count refused");
	ok(value_parse_ipv4("1..2.3", &ip) < 0 && value_parse_ipv4("1.2.3.4 ", &ip) < 0 &&
	   value_parse_ipv4("0001.2.3.4", &ip) < 0, "malformed refused");
}

static uint64_t size = 60, rate;
static bool verbose;
static const char *name = "x";
static uint8_t dmac[6];
static uint32_t dip;
static unsigned mode;
static const char *const modes[] = { "generate", "copy", "zerocopy", NULL };
static unsigned level;
static const char *const levels[] = { "err", "info", NULL };

/* A PARAM_CUSTOM list: every "even=N" adds an even number, up to 3 of them. */
struct evens {
	unsigned n;
	uint64_t v[3];
};
static struct evens evens;

static const char *evens_parse(void *dst, const char *val)
{
	struct evens *e = dst;
	uint64_t u;

	if (e->n == 3)
		return "a fourth one";
	if (value_parse_u64(val, &u) < 0 || u % 2)
		return "";
	e->v[e->n++] = u;
	return NULL;
}

static void evens_show(const void *dst, char *buf, size_t len)
{
	const struct evens *e = dst;
	snprintf(buf, len, "%u numbers", e->n);
}

static const struct param_kind evens_kind = {
	.form = "an even number (at most 3 of them)",
	.parse = evens_parse,
	.show = evens_show,
};

static const struct param nf_params[] = {
	PARAM_INT("size", size, 60, 1514, "frame size"),
	PARAM_INT("rate", rate, 0, UINT64_MAX, "pps"),
	PARAM_FLAG("verbose", verbose, "more output"),
	PARAM_TEXT("name", name, "a name"),
	PARAM_MACADDR("dst_mac", dmac, "destination"),
	PARAM_IP("dst_ip", dip, "destination"),
	PARAM_CHOICE("mode", mode, modes, "how"),
	PARAM_OF("even", evens, evens_kind, "even numbers"),
};
static const struct param k_params[] = {
	PARAM_CHOICE("loglevel", level, levels, "verbosity"),
};
static const struct param_table tables[] = {
	{ "kernel", k_params, 1 },
	{ "pktgen", nf_params, sizeof(nf_params) / sizeof(nf_params[0]) },
};

static int apply(const char *text)
{
	if (parse(text, false) < 0)
		return -2;
	return params_apply(tables, 2, &kv, err, sizeof(err));
}

static void test_params(void)
{
	char v[64];

	ok(apply("size=1514 rate=1M verbose name=abc dst_mac=02:00:00:00:00:09 "
		 "dst_ip=198.19.1.2 mode=zerocopy loglevel=info") == 0, "all types apply: %s", err);
	ok(size == 1514 && rate == 1000000 && verbose && strcmp(name, "abc") == 0 &&
	   dmac[5] == 9 && dip == 0xc6130102 && mode == 2 && level == 1, "values stored");
	ok(apply("size=60 size=100") == 0 && size == 100, "a later pair wins");

	ok(apply("sise=60") < 0, "unknown key refused");
	ok(strstr(err, "'sise'") && strstr(err, "command line") && strstr(err, "size") &&
	   strstr(err, "loglevel"), "message names the key, origin and valid keys: %s", err);

	size = 60;
	ok(apply("size=59") < 0 && size == 60, "below range refused, value untouched");
	ok(strstr(err, "'size'") && strstr(err, "60..1514") && strstr(err, "'59'"),
	   "message names key, value and range: %s", err);
	ok(apply("size=1515") < 0, "above range refused");
	ok(apply("size") < 0 && strstr(err, "(none)"), "missing value refused: %s", err);
	ok(apply("mode=fast") < 0 && strstr(err, "generate|copy|zerocopy"),
	   "enum lists choices: %s", err);
	ok(apply("dst_ip=1.2.3") < 0 && strstr(err, "IPv4"), "bad IPv4: %s", err);
	ok(apply("dst_mac=zz") < 0 && strstr(err, "MAC"), "bad MAC: %s", err);
	ok(apply("verbose=maybe") < 0 && strstr(err, "boolean"), "bad bool: %s", err);
	ok(apply("name=") < 0, "empty string refused");

	/* Origin of a file pair. */
	parse("\nsize=9999\n", true);
	ok(params_apply(tables, 2, &kv, err, sizeof(err)) < 0 &&
	   strstr(err, "/etc/x.conf line 2"), "file origin and line in message: %s", err);

	apply("dst_ip=198.18.0.1 dst_mac=0a:0b:0c:0d:0e:0f mode=copy");
	param_value(&nf_params[5], v, sizeof(v));
	is_str(v, "198.18.0.1", "IPv4 printed back");
	param_value(&nf_params[4], v, sizeof(v));
	is_str(v, "0a:0b:0c:0d:0e:0f", "MAC printed back");
	param_value(&nf_params[6], v, sizeof(v));
	is_str(v, "copy", "enum printed back");
	param_describe(&nf_params[0], v, sizeof(v));
	is_str(v, "an integer in 60..1514", "integer form");
}

static void test_custom(void)
{
	char v[64];

	evens.n = 0;
	ok(apply("even=2 size=61 even=10") == 0, "custom: applies: %s", err);
	ok(evens.n == 2 && evens.v[0] == 2 && evens.v[1] == 10,
	   "custom: a repeated key reaches the parser each time, in order");
	ok(apply("even=4 even=7") < 0 && evens.n == 3 && evens.v[2] == 4,
	   "custom: a refused value stops there, the ones before it stay");
	ok(strstr(err, "'7'") && strstr(err, "'even'") && strstr(err, "command line") &&
	   strstr(err, "an even number (at most 3 of them)"),
	   "custom: message names value, key, origin and the kind's form: %s", err);
	ok(apply("even=8") < 0 && evens.n == 3, "custom: the parser's own limit refuses");
	ok(strstr(err, "'8' for 'even' (command line): a fourth one; expected an even number"),
	   "custom: the parser's reason comes before the form: %s", err);
	ok(apply("even") < 0, "custom: a bare key reaches the parser as NULL (refused here)");
	param_value(&nf_params[7], v, sizeof(v));
	is_str(v, "3 numbers", "custom: printed by the kind's show()");
	param_describe(&nf_params[7], v, sizeof(v));
	is_str(v, "an even number (at most 3 of them)", "custom: form from the kind");
}

int main(void)
{
	test_tokenizer();
	test_values();
	test_params();
	test_custom();
	return done_testing();
}
