/* The cpubench guest: runs bench/cpubench with "iterations=N" from the command line, prints the
 * checksum and powers off. host/bench/cpu.ts times it and reads its retired-instruction count. */
#include <console.h>
#include <kernel.h>

#include "../../bench/cpubench/cpubench.h"

int main(void)
{
	uint32_t iterations = cpubench_iterations_arg(cmdline(), CPUBENCH_DEFAULT_ITERATIONS);
	printk("cpubench: checksum %08x\n", cpubench_run(iterations));
	return 0;
}
