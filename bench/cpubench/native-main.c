/*
 * cpubench as a native Linux program, the baseline the emulators are compared with.
 *   cpubench-native [iterations=N]
 * Prints the checksum, and the wall and CPU time of cpubench_run() alone (process start-up
 * excluded, like the guests, whose boot is negligible next to the workload).
 */
#include <stdio.h>
#include <time.h>

#include "cpubench.h"

static double clock_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	uint32_t iterations = cpubench_iterations_arg(argc > 1 ? argv[1] : NULL, CPUBENCH_DEFAULT_ITERATIONS);
	double t0 = clock_seconds(CLOCK_MONOTONIC), c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
	uint32_t sum = cpubench_run(iterations);
	double t1 = clock_seconds(CLOCK_MONOTONIC), c1 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);

	printf("cpubench: checksum %08x\n", sum);
	printf("cpubench: seconds %.6f\n", t1 - t0);
	printf("cpubench: cpu-seconds %.6f\n", c1 - c0);
	return 0;
}
