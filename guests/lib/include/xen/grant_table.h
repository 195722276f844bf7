/* grant_table_op (hypercall 20), grant table v1. */
#ifndef XEN_PUBLIC_GRANT_TABLE_H
#define XEN_PUBLIC_GRANT_TABLE_H

#define GNTTABOP_map_grant_ref     0
#define GNTTABOP_unmap_grant_ref   1
#define GNTTABOP_setup_table       2
#define GNTTABOP_dump_table        3
#define GNTTABOP_transfer          4
#define GNTTABOP_copy              5
#define GNTTABOP_query_size        6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version       8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version      10
#define GNTTABOP_swap_grant_ref   11
#define GNTTABOP_cache_flush      12

/* Reserved grant references */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE    0
#define GNTTAB_RESERVED_XENSTORE   1

/* grant_entry_v1.flags */
#define GTF_invalid          (0U << 0)
#define GTF_permit_access    (1U << 0)
#define GTF_accept_transfer  (2U << 0)
#define GTF_transitive       (3U << 0)
#define GTF_type_mask        (3U << 0)
#define GTF_readonly         (1U << 2)
#define GTF_reading          (1U << 3)
#define GTF_writing          (1U << 4)
#define GTF_PWT              (1U << 5)
#define GTF_PCD              (1U << 6)
#define GTF_PAT              (1U << 7)
#define GTF_sub_page         (1U << 8)
#define GTF_transfer_committed (1U << 2)
#define GTF_transfer_completed (1U << 3)

/* gnttab_map_grant_ref.flags */
#define GNTMAP_device_map      (1U << 0)
#define GNTMAP_host_map        (1U << 1)
#define GNTMAP_readonly        (1U << 2)
#define GNTMAP_application_map (1U << 3)
#define GNTMAP_contains_pte    (1U << 4)

/* gnttab_copy.flags */
#define GNTCOPY_source_gref (1U << 0)
#define GNTCOPY_dest_gref   (1U << 1)

/* per-operation status */
#define GNTST_okay              0
#define GNTST_general_error   (-1)
#define GNTST_bad_domain      (-2)
#define GNTST_bad_gntref      (-3)
#define GNTST_bad_handle      (-4)
#define GNTST_bad_virt_addr   (-5)
#define GNTST_bad_dev_addr    (-6)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page        (-9)
#define GNTST_bad_copy_arg    (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain          (-12)
#define GNTST_no_space        (-13)

#ifndef __ASSEMBLER__

#include <stdint.h>
#include <xen/xen.h>

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

struct grant_entry_v1 {
	uint16_t flags;             /* GTF_* */
	domid_t domid;              /* the domain being granted access */
	uint32_t frame;             /* the frame being granted */
};
typedef struct grant_entry_v1 grant_entry_v1_t;

struct gnttab_map_grant_ref {
	uint64_t host_addr;
	uint32_t flags;             /* GNTMAP_* */
	grant_ref_t ref;
	domid_t dom;
	int16_t status;             /* OUT: GNTST_* */
	grant_handle_t handle;      /* OUT */
	uint64_t dev_bus_addr;      /* OUT */
};
typedef struct gnttab_map_grant_ref gnttab_map_grant_ref_t;

struct gnttab_unmap_grant_ref {
	uint64_t host_addr;
	uint64_t dev_bus_addr;
	grant_handle_t handle;
	int16_t status;             /* OUT */
};
typedef struct gnttab_unmap_grant_ref gnttab_unmap_grant_ref_t;

struct gnttab_setup_table {
	domid_t dom;
	uint32_t nr_frames;
	int16_t status;             /* OUT */
	xen_pfn_t *frame_list;      /* OUT: MFNs for a PV guest */
};
typedef struct gnttab_setup_table gnttab_setup_table_t;

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref;
		xen_pfn_t gmfn;
	} u;
	domid_t domid;
	uint16_t offset;
};

struct gnttab_copy {
	struct gnttab_copy_ptr source, dest;
	uint16_t len;
	uint16_t flags;             /* GNTCOPY_* */
	int16_t status;             /* OUT */
};
typedef struct gnttab_copy gnttab_copy_t;

struct gnttab_query_size {
	domid_t dom;
	uint32_t nr_frames;         /* OUT */
	uint32_t max_nr_frames;     /* OUT */
	int16_t status;             /* OUT */
};
typedef struct gnttab_query_size gnttab_query_size_t;

_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1 is 8 bytes");
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "gnttab_map_grant_ref is 32 bytes");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, ref) == 12, "map_grant_ref.ref @12");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, dom) == 16, "map_grant_ref.dom @16");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, status) == 18, "map_grant_ref.status @18");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, handle) == 20, "map_grant_ref.handle @20");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, dev_bus_addr) == 24, "map_grant_ref.dev_bus_addr @24");
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "gnttab_unmap_grant_ref is 24 bytes");
_Static_assert(__builtin_offsetof(struct gnttab_unmap_grant_ref, handle) == 16, "unmap_grant_ref.handle @16");
_Static_assert(__builtin_offsetof(struct gnttab_unmap_grant_ref, status) == 20, "unmap_grant_ref.status @20");
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "gnttab_setup_table is 24 bytes");
_Static_assert(__builtin_offsetof(struct gnttab_setup_table, nr_frames) == 4, "setup_table.nr_frames @4");
_Static_assert(__builtin_offsetof(struct gnttab_setup_table, status) == 8, "setup_table.status @8");
_Static_assert(__builtin_offsetof(struct gnttab_setup_table, frame_list) == 16, "setup_table.frame_list @16");
_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy is 40 bytes");
_Static_assert(__builtin_offsetof(struct gnttab_copy, source.domid) == 8, "copy.source.domid @8");
_Static_assert(__builtin_offsetof(struct gnttab_copy, source.offset) == 10, "copy.source.offset @10");
_Static_assert(__builtin_offsetof(struct gnttab_copy, dest) == 16, "copy.dest @16");
_Static_assert(__builtin_offsetof(struct gnttab_copy, len) == 32, "copy.len @32");
_Static_assert(__builtin_offsetof(struct gnttab_copy, flags) == 34, "copy.flags @34");
_Static_assert(__builtin_offsetof(struct gnttab_copy, status) == 36, "copy.status @36");
_Static_assert(sizeof(struct gnttab_query_size) == 16, "gnttab_query_size is 16 bytes");
_Static_assert(__builtin_offsetof(struct gnttab_query_size, max_nr_frames) == 8, "query_size.max_nr_frames @8");
_Static_assert(__builtin_offsetof(struct gnttab_query_size, status) == 12, "query_size.status @12");

#endif /* !__ASSEMBLER__ */

#endif
