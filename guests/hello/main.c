/* The first guest: proves boot, the hypercall page, console output, start_info and shutdown. */
#include <console.h>
#include <hypercall.h>
#include <kernel.h>

int main(void)
{
	const start_info_t *si = start_info_ptr;

	if (hypercall_page[0] == 0xC3)
		panic("hypercall page not written");

	printk("Hello from xenwasm\n");
	printk("start_info magic: %.*s\n", (int)sizeof(si->magic), si->magic);
	printk("memory: %lu pages (%lu MiB)\n", si->nr_pages, si->nr_pages * 4096 / (1024 * 1024));
	return 0;
}
