/* A guest that breaks its store ring on purpose, then asks to reconnect (command line):
 *   ringidx  req_prod claims more than a ring's worth of bytes  (store sets error = RINGIDX, 2)
 *   rspidx   rsp_cons runs past rsp_prod while a reply waits      (error = RINGIDX, 2)
 *   bighdr   a request header with len 5000 > XENSTORE_PAYLOAD_MAX (error = PROTO, 3)
 * Then it checks the store ignores the broken ring, reconnects (connection = RECONNECT), reads
 * its domid again and powers off. Prints "xshostile: <mode>: error field N" and "recovered". */
#include <lib.h>
#include <events.h>
#include <time.h>
#include <xenbus.h>

static volatile struct xenstore_domain_interface *ring;

static void wait_error(void)
{
	for (int i = 0; i < 100 && ring->error == 0; i++)
		block_once(monotonic_ns() + 10 * NSEC_PER_MSEC);
}

int main(void)
{
	const char *cmd = (const char *)start_info_ptr->cmd_line;
	events_init();
	local_irq_enable();
	xenbus_init();
	unsigned long pfn = machine_to_phys_mapping[start_info_ptr->store_mfn];
	ring = (volatile struct xenstore_domain_interface *)(VIRT_BASE + pfn * 4096UL);
	evtchn_port_t port = start_info_ptr->store_evtchn;
	unsigned long domid = 0;
	if (xenbus_read_ulong(XBT_NIL, "domid", &domid) < 0)
		panic("xshostile: no domid before the attack");
	if (!strncmp(cmd, "ringidx", 7)) {
		ring->req_prod = ring->req_cons + 5000;
		evtchn_notify(port);
	} else if (!strncmp(cmd, "rspidx", 6)) {
		/* Ask for something, then claim to have consumed far more than was produced. */
		struct xsd_sockmsg h = { .type = XS_READ, .req_id = 77, .tx_id = 0, .len = 6 };
		uint32_t p = ring->req_prod;
		memcpy((char *)ring->req + MASK_XENSTORE_IDX(p), &h, sizeof(h));
		memcpy((char *)ring->req + MASK_XENSTORE_IDX(p + 16), "domid", 6);
		ring->req_prod = p + 22;
		ring->rsp_cons = ring->rsp_prod + 3000;
		evtchn_notify(port);
	} else {
		struct xsd_sockmsg h = { .type = XS_WRITE, .req_id = 1, .tx_id = 0, .len = 5000 };
		uint32_t p = ring->req_prod;
		memcpy((char *)ring->req + MASK_XENSTORE_IDX(p), &h, sizeof(h));
		ring->req_prod = p + sizeof(h);
		evtchn_notify(port);
	}
	wait_error();
	printk("xshostile: %s: error field %u\n", cmd, ring->error);
	/* The store no longer answers this ring. */
	char v[16];
	int r = xenbus_read(XBT_NIL, "domid", v, sizeof(v));
	printk("xshostile: request on the broken ring: %d\n", r);
	r = xenbus_reconnect();
	if (r < 0)
		panic("xshostile: reconnect failed: %d", r);
	unsigned long again = 0;
	r = xenbus_read_ulong(XBT_NIL, "domid", &again);
	if (r < 0 || again != domid)
		panic("xshostile: read after reconnect: %d", r);
	printk("xshostile: recovered (domid %lu, error field %u)\n", again, ring->error);
	return 0;
}
