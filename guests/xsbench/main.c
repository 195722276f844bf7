/* XenStore load from one guest, for host/bench/xenstore.ts. Command line "<kind> n=N":
 *   reads   N reads of domid
 *   writes  N writes of data/bench
 *   watch   a watch on data/w, then N writes of data/w/k, waiting for each one's event
 * Prints "xsbench: <kind> N ops in T ns" (virtual time) and powers off. */
#include <lib.h>
#include <events.h>
#include <time.h>
#include <xenbus.h>

static unsigned long events;
static void on_event(const char *path, const char *token, void *data)
{
	(void)path;
	(void)token;
	(void)data;
	events++;
}

int main(void)
{
	const char *cmd = (const char *)start_info_ptr->cmd_line;
	unsigned long n = 1000;
	const char *p = strchr(cmd, '=');
	if (p)
		for (n = 0, p++; *p >= '0' && *p <= '9'; p++)
			n = n * 10 + (unsigned long)(*p - '0');
	events_init();
	local_irq_enable();
	xenbus_init();
	char buf[32];
	uint64_t t0 = monotonic_ns();
	if (!strncmp(cmd, "reads", 5)) {
		for (unsigned long i = 0; i < n; i++)
			if (xenbus_read(XBT_NIL, "domid", buf, sizeof(buf)) < 0)
				panic("read failed");
	} else if (!strncmp(cmd, "writes", 6)) {
		for (unsigned long i = 0; i < n; i++) {
			snprintf(buf, sizeof(buf), "%lu", i);
			if (xenbus_write(XBT_NIL, "data/bench", buf) < 0)
				panic("write failed");
		}
	} else {
		if (xenbus_watch("data/w", "w", on_event, NULL) < 0)
			panic("watch failed");
		events = 0;
		for (unsigned long i = 0; i < n; i++) {
			snprintf(buf, sizeof(buf), "%lu", i);
			if (xenbus_write(XBT_NIL, "data/w/k", buf) < 0)
				panic("write failed");
			while (events < i + 1)
				xenbus_wait();
		}
	}
	uint64_t t = monotonic_ns() - t0;
	printk("xsbench: %s %lu ops in %lu ns\n", cmd, n, (unsigned long)t);
	return 0;
}
