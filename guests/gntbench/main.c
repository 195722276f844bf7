/*
 * The grant-table benchmark guest (host/bench/grants.ts): "self=<domid> op=map|copy n=<count>".
 * op=map: n map+unmap pairs of a read-write host mapping of one of its own grants, one
 * hypercall each; op=copy: n 4 KiB grant copies (grant -> own frame), one hypercall each.
 * op=none does the setup only (the host subtracts its time). Prints the virtual TSC ticks taken.
 */
#include "../gntshare/gntcheck.h"
#include <time.h>

int main(void)
{
	domid_t self = (domid_t)cmdline_num("self", 0);
	unsigned long n = cmdline_num("n", 1000), op = cmdline_num("op", 0);
	if (gnttab_init(1))
		panic("setup_table failed");
	char *data = alloc_page(), *va = alloc_page(), *dst = alloc_page();
	memset(data, 0xa5, PAGE_SIZE);
	gnttab_grant_access(8, self, virt_to_mfn(data), 0);
	struct gnttab_map_grant_ref m = { .host_addr = (uint64_t)va, .flags = GNTMAP_host_map, .ref = 8, .dom = self };
	struct gnttab_unmap_grant_ref u = { .host_addr = (uint64_t)va };
	struct gnttab_copy c = {
		.source = { .u.ref = 8, .domid = self }, .dest = { .u.gmfn = virt_to_mfn(dst), .domid = DOMID_SELF },
		.len = PAGE_SIZE, .flags = GNTCOPY_source_gref,
	};
	uint64_t t0 = rdtsc();
	unsigned long bad = 0;
	for (unsigned long i = 0; i < n && op == 1; i++) {
		HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
		u.handle = m.handle;
		HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
		bad += m.status != 0 || u.status != 0;
	}
	for (unsigned long i = 0; i < n && op == 2; i++) {
		HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1);
		bad += c.status != 0;
	}
	uint64_t t1 = rdtsc();
	if (op == 2 && memcmp(dst, data, PAGE_SIZE))
		bad++;
	printk("gntbench op=%lu n=%lu failed=%lu virtual_tsc=%lu\n", op, n, bad, (unsigned long)(t1 - t0));
	return 0;
}
