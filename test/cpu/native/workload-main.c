/*
 * The native twin of the cpu-O* guests: the same workload (guests/cpuprogs/wl_*.c) built for the host,
 * with printk mapped onto printf. The arguments, joined by spaces, are the guest's kernel command line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

int main(int argc, char **argv)
{
	static char cmdline[1024];
	size_t len = 0;
	struct wl_config cfg;

	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (len + n + 2 > sizeof(cmdline)) {
			fprintf(stderr, "cpuprogs: command line longer than %zu bytes\n", sizeof(cmdline) - 1);
			return 2;
		}
		if (len)
			cmdline[len++] = ' ';
		memcpy(cmdline + len, argv[i], n);
		len += n;
	}
	cmdline[len] = 0;
	if (wl_parse_cmdline(cmdline, &cfg) != 0)
		return 1;
	wl_run(&cfg);
	return fflush(stdout) == 0 ? 0 : 1;
}
