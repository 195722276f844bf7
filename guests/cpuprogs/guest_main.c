/* The cpu-O* guests: run the workload with the options from the kernel command line, then power off. */
#include <kernel.h>

#include "workload.h"

int main(void)
{
	struct wl_config cfg;

	if (wl_parse_cmdline(cmdline(), &cfg) != 0)
		return 1;
	wl_run(&cfg);
	return 0;
}
