/* memory_op (hypercall 12). The op is cmd & MEMOP_CMD_MASK; cmd >> MEMOP_EXTENT_SHIFT is the start extent. */
#ifndef XEN_PUBLIC_MEMORY_H
#define XEN_PUBLIC_MEMORY_H

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_maximum_ram_page     2
#define XENMEM_current_reservation  3
#define XENMEM_maximum_reservation  4
#define XENMEM_machphys_mfn_list    5
#define XENMEM_populate_physmap     6
#define XENMEM_add_to_physmap       7
#define XENMEM_memory_map           9
#define XENMEM_machine_memory_map  10
#define XENMEM_exchange            11
#define XENMEM_machphys_mapping    12
#define XENMEM_set_memory_map      13
#define XENMEM_maximum_gpfn        14
#define XENMEM_remove_from_physmap 15

#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK     ((1 << MEMOP_EXTENT_SHIFT) - 1)

/* xen_memory_reservation.mem_flags */
#define XENMEMF_address_bits(x)     (x)
#define XENMEMF_get_address_bits(x) ((x) & 0xffu)
#define XENMEMF_node(x)             (((x) + 1) << 8)
#define XENMEMF_get_node(x)         ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1 << 16)
#define XENMEMF_exact_node_request  (1 << 17)
#define XENMEMF_exact_node(n)       (XENMEMF_node(n) | XENMEMF_exact_node_request)
#define XENMEMF_vnode               (1 << 18)

/* xen_add_to_physmap.space */
#define XENMAPSPACE_shared_info  0
#define XENMAPSPACE_grant_table  1
#define XENMAPSPACE_gmfn         2
#define XENMAPSPACE_gmfn_range   3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio     5

/* e820 entry types */
#define E820_RAM      1
#define E820_RESERVED 2
#define E820_ACPI     3
#define E820_NVS      4
#define E820_UNUSABLE 5

#ifndef __ASSEMBLER__

#include <stdint.h>
#include <xen/xen.h>

struct xen_memory_reservation {
	xen_pfn_t *extent_start;    /* PV: MFNs for increase/decrease, PFNs in / MFNs out for populate */
	xen_ulong_t nr_extents;
	unsigned int extent_order;
	unsigned int mem_flags;     /* XENMEMF_* */
	domid_t domid;
};
typedef struct xen_memory_reservation xen_memory_reservation_t;

struct xen_memory_exchange {
	struct xen_memory_reservation in;
	struct xen_memory_reservation out;
	xen_ulong_t nr_exchanged;   /* OUT */
};
typedef struct xen_memory_exchange xen_memory_exchange_t;

struct xen_machphys_mfn_list {
	unsigned int max_extents;
	xen_pfn_t *extent_start;
	unsigned int nr_extents;    /* OUT */
};
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;

struct xen_machphys_mapping {
	xen_ulong_t v_start, v_end; /* start and end of the M2P table */
	xen_ulong_t max_mfn;
};
typedef struct xen_machphys_mapping xen_machphys_mapping_t;

struct xen_add_to_physmap {
	domid_t domid;
	uint16_t size;              /* XENMAPSPACE_gmfn_range only */
	unsigned int space;         /* XENMAPSPACE_* */
	xen_ulong_t idx;
	xen_pfn_t gpfn;
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;

struct xen_remove_from_physmap {
	domid_t domid;
	xen_pfn_t gpfn;
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;

struct e820entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;              /* E820_* */
} __attribute__((packed));

struct xen_memory_map {
	unsigned int nr_entries;    /* IN: buffer capacity, OUT: entries written */
	void *buffer;               /* struct e820entry[] */
};
typedef struct xen_memory_map xen_memory_map_t;

_Static_assert(sizeof(struct xen_memory_reservation) == 32, "xen_memory_reservation is 32 bytes");
_Static_assert(__builtin_offsetof(struct xen_memory_reservation, nr_extents) == 8, "reservation.nr_extents @8");
_Static_assert(__builtin_offsetof(struct xen_memory_reservation, extent_order) == 16, "reservation.extent_order @16");
_Static_assert(__builtin_offsetof(struct xen_memory_reservation, mem_flags) == 20, "reservation.mem_flags @20");
_Static_assert(__builtin_offsetof(struct xen_memory_reservation, domid) == 24, "reservation.domid @24");
_Static_assert(sizeof(struct xen_memory_exchange) == 72, "xen_memory_exchange is 72 bytes");
_Static_assert(__builtin_offsetof(struct xen_memory_exchange, out) == 32, "exchange.out @32");
_Static_assert(__builtin_offsetof(struct xen_memory_exchange, nr_exchanged) == 64, "exchange.nr_exchanged @64");
_Static_assert(sizeof(struct xen_machphys_mfn_list) == 24, "xen_machphys_mfn_list is 24 bytes");
_Static_assert(__builtin_offsetof(struct xen_machphys_mfn_list, extent_start) == 8, "mfn_list.extent_start @8");
_Static_assert(__builtin_offsetof(struct xen_machphys_mfn_list, nr_extents) == 16, "mfn_list.nr_extents @16");
_Static_assert(sizeof(struct xen_machphys_mapping) == 24, "xen_machphys_mapping is 24 bytes");
_Static_assert(sizeof(struct xen_add_to_physmap) == 24, "xen_add_to_physmap is 24 bytes");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap, space) == 4, "add_to_physmap.space @4");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap, idx) == 8, "add_to_physmap.idx @8");
_Static_assert(__builtin_offsetof(struct xen_add_to_physmap, gpfn) == 16, "add_to_physmap.gpfn @16");
_Static_assert(sizeof(struct e820entry) == 20, "e820entry is 20 bytes");
_Static_assert(sizeof(struct xen_memory_map) == 16, "xen_memory_map is 16 bytes");
_Static_assert(__builtin_offsetof(struct xen_memory_map, buffer) == 8, "memory_map.buffer @8");

#endif /* !__ASSEMBLER__ */

#endif
