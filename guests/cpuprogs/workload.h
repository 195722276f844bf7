/*
 * The CPU workload ("real programs"): portable C that runs the same in a guest kernel and as a hosted
 * program on the host, so the two outputs can be compared line by line. Each test prints one line
 * `name: <16 hex digits>`, a checksum of everything it computed; the last line, `end: ...`, folds all
 * of them together.
 *
 * The workload needs nothing but <stdint.h>, <stddef.h>, <string.h> and printk (the guest library's,
 * or the native twin's shim over printf). __int128 division and __builtin_popcount call libgcc.
 */
#ifndef CPUPROGS_WORKLOAD_H
#define CPUPROGS_WORKLOAD_H

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct wl_config {
	unsigned long iterations; /* each test runs this many rounds, each from its own seed (default 1) */
	const char *only;         /* run only the tests named in this comma-separated list (NULL: all) */
	unsigned long only_len;
};

/*
 * Parse a command line of space-separated words: `iterations=N` (1..1000000), `only=NAME[,NAME...]`.
 * Other words are ignored (a kernel command line carries other things too). Returns 0, or -1 after
 * printing why the line was rejected. cfg->only points into cmdline.
 */
int wl_parse_cmdline(const char *cmdline, struct wl_config *cfg);

/* Run the tests and print their lines. Returns the number of tests run. */
int wl_run(const struct wl_config *cfg);

#endif
