/* A XenStore client as a PV guest sees the store: reads what the toolstack wrote for it (domid,
 * name, vm, memory, cpu, console), watches data/message, which the host changes, printing every
 * value it sees, and powers off when the toolstack writes control/shutdown. */
#include <lib.h>
#include <events.h>
#include <xenbus.h>

static char buf[512];

static void show(const char *path)
{
	int r = xenbus_read(XBT_NIL, path, buf, sizeof(buf));
	if (r < 0)
		printk("xsclient: %s: error %d\n", path, r);
	else
		printk("xsclient: %s = \"%s\"\n", path, buf);
}

static unsigned long seen;

static void on_message(const char *path, const char *token, void *data)
{
	(void)data;
	seen++;
	int r = xenbus_read(XBT_NIL, "data/message", buf, sizeof(buf));
	printk("xsclient: watch %s %s fired: %s\n", path, token, r < 0 ? "(none)" : buf);
	if (r > 0) {
		/* Answer on a key of our own, so the host can follow. */
		char key[64];
		snprintf(key, sizeof(key), "data/ack");
		xenbus_write(XBT_NIL, key, buf);
	}
}

int main(void)
{
	events_init();
	local_irq_enable();
	xenbus_init();
	unsigned long domid = 0;
	int r = xenbus_read_ulong(XBT_NIL, "domid", &domid);
	if (r < 0)
		panic("xsclient: cannot read domid: %d", r);
	printk("xsclient: domid %lu\n", domid);
	show("name");
	show("vm");
	show("memory/target");
	show("cpu/0/availability");
	show("console/type");
	r = xenbus_write(XBT_NIL, "name", "renamed");
	printk("xsclient: writing name: %d\n", r);
	if (xenbus_watch("data/message", "msg", on_message, NULL) < 0)
		panic("xsclient: watch failed");
	r = xenbus_shutdown_watcher_init();
	if (r < 0)
		panic("xsclient: shutdown watcher: %d", r);
	printk("xsclient: ready\n");
	xenbus_idle_until_shutdown();
}
