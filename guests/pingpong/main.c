/*
 * Event ping-pong between two domains over an interdomain channel. Command line:
 *   "ping peer=<domid> rounds=<n>"  allocates an unbound port for the peer, sends n pings and
 *                                    waits for each pong;
 *   "pong peer=<domid> port=<p>"     binds to the ping domain's port p and answers every ping.
 * Both sleep in SCHEDOP_block between events, and check the count at the end.
 */
#include <lib.h>
#include <events.h>
#include <time.h>

static volatile unsigned long received;
static int port = -1;
static int answering;

static void on_event(evtchn_port_t p, void *data)
{
	(void)data;
	received++;
	if (answering)
		evtchn_notify(p);
}

static void wait_until(volatile unsigned long *counter, unsigned long target)
{
	while (*counter < target)
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

int main(void)
{
	const char *cmd = (const char *)start_info_ptr->cmd_line;
	domid_t peer = (domid_t)cmdline_num("peer", 0);
	unsigned long rounds = cmdline_num("rounds", 1000);
	events_init();
	local_irq_enable();

	if (!strncmp(cmd, "ping", 4)) {
		port = evtchn_alloc_unbound(peer, on_event, NULL);
		if (port < 0)
			panic("alloc_unbound failed: %d", port);
		printk("ping: port %d for domain %u\n", port, peer);
		/* The pong side binds and sends one "ready" event. */
		wait_until(&received, 1);
		uint64_t t0 = monotonic_ns();
		for (unsigned long i = 0; i < rounds; i++) {
			evtchn_notify(port);
			wait_until(&received, i + 2);
		}
		uint64_t t1 = monotonic_ns();
		printk("ping: %lu round trips, %lu replies, %lu ns each\n", rounds, received - 1, (t1 - t0) / rounds);
		if (received - 1 != rounds)
			panic("expected %lu replies", rounds);
		return 0;
	}
	/* pong: the ping domain may not have allocated its port yet: retry every millisecond. */
	evtchn_port_t rport = (evtchn_port_t)cmdline_num("port", 3);
	for (int tries = 0; tries < 1000; tries++) {
		port = evtchn_bind_interdomain(peer, rport, on_event, NULL);
		if (port >= 0)
			break;
		if (port != -XEN_EINVAL)
			panic("bind_interdomain failed: %d", port);
		block_until(monotonic_ns() + NSEC_PER_MSEC);
	}
	if (port < 0)
		panic("ping domain never offered port %u", rport);
	/* Binding raised our port once (Xen's conservative notification): not a ping. */
	wait_until(&received, 1);
	received = 0;
	answering = 1;
	evtchn_notify(port); /* ready */
	wait_until(&received, rounds);
	printk("pong: answered %lu pings\n", received);
	return 0;
}
