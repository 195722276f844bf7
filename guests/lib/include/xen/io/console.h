/* The PV console ring page shared with the console backend. */
#ifndef XEN_PUBLIC_IO_CONSOLE_H
#define XEN_PUBLIC_IO_CONSOLE_H

#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;

/* Indices run freely; mask with the ring size minus one. */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

#define XENCONSOLE_CONNECTED    0
#define XENCONSOLE_RECONNECTING 1
#define XENCONSOLE_DISCONNECTED 2

struct xencons_interface {
	char in[1024];              /* backend -> guest */
	char out[2048];             /* guest -> backend */
	XENCONS_RING_IDX in_cons, in_prod;
	XENCONS_RING_IDX out_cons, out_prod;
	uint8_t connection;         /* XENCONSOLE_* */
};

_Static_assert(__builtin_offsetof(struct xencons_interface, out) == 1024, "xencons.out @1024");
_Static_assert(__builtin_offsetof(struct xencons_interface, in_cons) == 3072, "xencons.in_cons @3072");
_Static_assert(__builtin_offsetof(struct xencons_interface, in_prod) == 3076, "xencons.in_prod @3076");
_Static_assert(__builtin_offsetof(struct xencons_interface, out_cons) == 3080, "xencons.out_cons @3080");
_Static_assert(__builtin_offsetof(struct xencons_interface, out_prod) == 3084, "xencons.out_prod @3084");
_Static_assert(__builtin_offsetof(struct xencons_interface, connection) == 3088, "xencons.connection @3088");

#endif
