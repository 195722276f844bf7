/* Prints one line and then computes forever: for time limits and preemption. */
#include <lib.h>

int main(void)
{
	printk("spinning\n");
	volatile unsigned long n = 0;
	for (;;)
		n++;
	return 0;
}
