/* The workload's driver: the command line, the list of tests, one line of output per test. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wl.h"
#include "workload.h"

struct wl_test {
	const char *name;
	uint64_t (*fn)(uint64_t seed);
};

static const struct wl_test tests[] = {
	{ "crc", wl_test_crc },
	{ "sort", wl_test_sort },
	{ "hash", wl_test_hash },
	{ "interp", wl_test_interp },
	{ "string", wl_test_string },
	{ "search", wl_test_search },
	{ "float", wl_test_float },
	{ "fconv", wl_test_fconv },
#if WL_X87
	{ "ldouble", wl_test_ldouble },
#endif
	{ "recurse", wl_test_recurse },
	{ "int64", wl_test_int64 },
	{ "int128", wl_test_int128 },
	{ "bits", wl_test_bits },
};

static int word_is(const char *w, size_t len, const char *key)
{
	size_t k = strlen(key);

	return len > k && strncmp(w, key, k) == 0;
}

int wl_parse_cmdline(const char *cmdline, struct wl_config *cfg)
{
	const char *p = cmdline;

	cfg->iterations = 1;
	cfg->only = NULL;
	cfg->only_len = 0;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t len = (size_t)(p - w);

		if (word_is(w, len, "iterations=")) {
			unsigned long n = 0;
			size_t i = strlen("iterations=");

			for (; i < len; i++) {
				if (w[i] < '0' || w[i] > '9' || n > 1000000) {
					printk("cpuprogs: bad %.*s (want iterations=1..1000000)\n", (int)len, w);
					return -1;
				}
				n = n * 10 + (unsigned long)(w[i] - '0');
			}
			if (n < 1 || n > 1000000) {
				printk("cpuprogs: bad %.*s (want iterations=1..1000000)\n", (int)len, w);
				return -1;
			}
			cfg->iterations = n;
		} else if (word_is(w, len, "only=")) {
			cfg->only = w + strlen("only=");
			cfg->only_len = len - strlen("only=");
		}
	}
	return 0;
}

/* Is name one of the comma-separated names in list[0..len)? */
static int listed(const char *list, size_t len, const char *name)
{
	size_t n = strlen(name), i = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && list[j] != ',')
			j++;
		if (j - i == n && strncmp(list + i, name, n) == 0)
			return 1;
		i = j + 1;
	}
	return 0;
}

int wl_run(const struct wl_config *cfg)
{
	uint64_t all = 0;
	int ran = 0;

	for (size_t t = 0; t < sizeof(tests) / sizeof(tests[0]); t++) {
		if (cfg->only && !listed(cfg->only, cfg->only_len, tests[t].name))
			continue;
		uint64_t h = 0;

		for (unsigned long r = 0; r < cfg->iterations; r++)
			h = wl_mix(h, tests[t].fn(r * 0x100 + t));
		printk("%s: %016lx\n", tests[t].name, (unsigned long)h);
		all = wl_mix(all, h);
		ran++;
	}
	printk("end: %016lx\n", (unsigned long)all);
	return ran;
}
