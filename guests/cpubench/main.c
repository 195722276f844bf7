/* The cpubench guest: runs bench/cpubench with "iterations=N" from the command line, prints the
 * checksum and powers off. host/bench/cpu.ts times it and reads its retired-instruction count. */
#include <console.h>
#include <kernel.h>
#include <string.h>

#include "../../bench/cpubench/cpubench.h"

int main(void)
{
	static char cmdline[MAX_GUEST_CMDLINE + 1];

	/* start_info.cmd_line need not be terminated when it is full. */
	size_t n = strnlen((const char *)start_info_ptr->cmd_line, MAX_GUEST_CMDLINE);
	memcpy(cmdline, start_info_ptr->cmd_line, n);
	cmdline[n] = 0;

	uint32_t iterations = cpubench_iterations_arg(cmdline, CPUBENCH_DEFAULT_ITERATIONS);
	printk("cpubench: checksum %08x\n", cpubench_run(iterations));
	return 0;
}
