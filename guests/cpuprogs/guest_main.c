/* The cpu-O* guests: run the workload with the options from the kernel command line, then power off. */
#include <kernel.h>
#include <string.h>

#include "workload.h"

int main(void)
{
	static char cmdline[MAX_GUEST_CMDLINE];
	struct wl_config cfg;

	/* start_info.cmd_line need not be terminated when it is full. */
	size_t n = strnlen((const char *)start_info_ptr->cmd_line, sizeof(cmdline) - 1);
	memcpy(cmdline, start_info_ptr->cmd_line, n);
	cmdline[n] = 0;

	if (wl_parse_cmdline(cmdline, &cfg) != 0)
		return 1;
	wl_run(&cfg);
	return 0;
}
