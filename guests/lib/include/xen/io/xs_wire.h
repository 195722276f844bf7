/* XenStore wire protocol: message header, message types and the shared ring page. */
#ifndef XEN_PUBLIC_IO_XS_WIRE_H
#define XEN_PUBLIC_IO_XS_WIRE_H

#include <stdint.h>

enum xsd_sockmsg_type {
	XS_CONTROL              = 0,
	XS_DIRECTORY            = 1,
	XS_READ                 = 2,
	XS_GET_PERMS            = 3,
	XS_WATCH                = 4,
	XS_UNWATCH              = 5,
	XS_TRANSACTION_START    = 6,
	XS_TRANSACTION_END      = 7,
	XS_INTRODUCE            = 8,
	XS_RELEASE              = 9,
	XS_GET_DOMAIN_PATH      = 10,
	XS_WRITE                = 11,
	XS_MKDIR                = 12,
	XS_RM                   = 13,
	XS_SET_PERMS            = 14,
	XS_WATCH_EVENT          = 15,
	XS_ERROR                = 16,
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME               = 18,
	XS_SET_TARGET           = 19,
	XS_RESET_WATCHES        = 21,
	XS_DIRECTORY_PART       = 22,
	XS_GET_FEATURE          = 23,
	XS_SET_FEATURE          = 24,
	XS_GET_QUOTA            = 25,
	XS_SET_QUOTA            = 26,
	XS_TYPE_COUNT,
	XS_INVALID              = 0xffff
};

struct xsd_sockmsg {
	uint32_t type;              /* enum xsd_sockmsg_type */
	uint32_t req_id;            /* echoed in the reply */
	uint32_t tx_id;             /* transaction id, 0 = none */
	uint32_t len;               /* payload bytes that follow */
};

typedef uint32_t XENSTORE_RING_IDX;

#define XENSTORE_RING_SIZE   1024
#define XENSTORE_PAYLOAD_MAX 4096
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

#define XENSTORE_CONNECTED   0
#define XENSTORE_RECONNECT   1

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE];   /* guest -> store */
	char rsp[XENSTORE_RING_SIZE];   /* store -> guest */
	XENSTORE_RING_IDX req_cons, req_prod;
	XENSTORE_RING_IDX rsp_cons, rsp_prod;
	uint32_t server_features;
	uint32_t connection;
	uint32_t error;
	uint32_t evtchn_port;
};

_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg is 16 bytes");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, rsp) == 1024, "xenstore.rsp @1024");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, req_cons) == 2048, "xenstore.req_cons @2048");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, req_prod) == 2052, "xenstore.req_prod @2052");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, rsp_cons) == 2056, "xenstore.rsp_cons @2056");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, rsp_prod) == 2060, "xenstore.rsp_prod @2060");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, server_features) == 2064,
	       "xenstore.server_features @2064");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, connection) == 2068, "xenstore.connection @2068");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, error) == 2072, "xenstore.error @2072");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, evtchn_port) == 2076, "xenstore.evtchn_port @2076");

#endif
