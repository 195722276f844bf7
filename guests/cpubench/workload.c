/* The workload is shared with the native and i386 builds (bench/cpubench); it is compiled here
 * with the guest's flags. */
#include "../../bench/cpubench/cpubench.c"
