/* A guest that does nothing until the toolstack asks it to stop: it serves the shutdown watcher
 * (control/shutdown through XenStore) and sleeps in between. Powers off with poweroff or halt,
 * reboots with reboot. */
#include <lib.h>
#include <events.h>
#include <xenbus.h>

int main(void)
{
	events_init();
	local_irq_enable();
	xenbus_init();
	int r = xenbus_shutdown_watcher_init();
	if (r < 0)
		panic("waiter: shutdown watcher: %d", r);
	printk("waiter: waiting for control/shutdown\n");
	xenbus_idle_until_shutdown();
}
