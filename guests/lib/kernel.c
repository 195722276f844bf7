/* From _start to main and back: the library's C entry point. */
#include <console.h>
#include <kernel.h>

start_info_t *start_info_ptr;

void start_kernel(start_info_t *si)
{
	start_info_ptr = si;

	int rc = main();

	if (rc == 0)
		poweroff();
	printk("main returned %d\n", rc);
	crash();
}
