/*
 * The PV console ring, driven only by events: 10 KiB of numbered lines through a 2 KiB ring, so
 * the ring wraps many times; the writer sleeps (SCHEDOP_block) whenever the ring is full, and
 * the host's backend runs only when notified. Then a flush.
 */
#include <lib.h>
#include <events.h>
#include <console_ring.h>

int main(void)
{
	events_init();
	local_irq_enable();
	console_ring_init();
	char line[64];
	unsigned long total = 0;
	for (int i = 0; total < 10240; i++) {
		int n = snprintf(line, sizeof(line), "ring line %04d: the quick brown fox\n", i);
		console_ring_write(line, (size_t)n);
		total += (unsigned long)n;
	}
	console_ring_flush();
	printk("conring: wrote %lu bytes through the ring, waited for room %lu times\n", total, console_ring_waits);
	return 0;
}
