/* xen_version (hypercall 17). */
#ifndef XEN_PUBLIC_VERSION_H
#define XEN_PUBLIC_VERSION_H

#define XENVER_version             0   /* arg NULL; returns major << 16 | minor */
#define XENVER_extraversion        1   /* xen_extraversion_t */
#define XENVER_compile_info        2   /* struct xen_compile_info */
#define XENVER_capabilities        3   /* xen_capabilities_info_t */
#define XENVER_changeset           4   /* xen_changeset_info_t */
#define XENVER_platform_parameters 5   /* struct xen_platform_parameters */
#define XENVER_get_features        6   /* struct xen_feature_info */
#define XENVER_pagesize            7   /* arg NULL; returns the page size */
#define XENVER_guest_handle        8   /* xen_domain_handle_t */
#define XENVER_commandline         9   /* xen_commandline_t */
#define XENVER_build_id           10
#define XENVER_extraversion2      11
#define XENVER_capabilities2      12
#define XENVER_changeset2         13
#define XENVER_commandline2       14

#define XEN_EXTRAVERSION_LEN 16
#define XEN_CAPABILITIES_INFO_LEN 1024
#define XEN_CHANGESET_INFO_LEN 64
#define XEN_COMMANDLINE_LEN 1024
#define XENFEAT_NR_SUBMAPS 1

#ifndef __ASSEMBLER__

#include <stdint.h>

typedef char xen_extraversion_t[XEN_EXTRAVERSION_LEN];
typedef char xen_capabilities_info_t[XEN_CAPABILITIES_INFO_LEN];
typedef char xen_changeset_info_t[XEN_CHANGESET_INFO_LEN];
typedef char xen_commandline_t[XEN_COMMANDLINE_LEN];
typedef uint8_t xen_domain_handle_t[16];

struct xen_compile_info {
	char compiler[64];
	char compile_by[16];
	char compile_domain[32];
	char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;

struct xen_platform_parameters {
	unsigned long virt_start;   /* start of the hypervisor hole */
};
typedef struct xen_platform_parameters xen_platform_parameters_t;

struct xen_feature_info {
	unsigned int submap_idx;    /* IN: which 32-bit submap */
	uint32_t submap;            /* OUT: bit n = XENFEAT (32 * submap_idx + n) */
};
typedef struct xen_feature_info xen_feature_info_t;

_Static_assert(sizeof(struct xen_compile_info) == 144, "xen_compile_info is 144 bytes");
_Static_assert(sizeof(struct xen_feature_info) == 8, "xen_feature_info is 8 bytes");

#endif /* !__ASSEMBLER__ */

#endif
