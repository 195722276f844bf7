/* callback_op (hypercall 30): where Xen delivers events, failsafe returns, syscalls and NMIs. */
#ifndef XEN_PUBLIC_CALLBACK_H
#define XEN_PUBLIC_CALLBACK_H

#define CALLBACKTYPE_event                0
#define CALLBACKTYPE_failsafe             1
#define CALLBACKTYPE_syscall              2
#define CALLBACKTYPE_sysenter_deprecated  3
#define CALLBACKTYPE_nmi                  4
#define CALLBACKTYPE_sysenter             5
#define CALLBACKTYPE_syscall32            7

#define _CALLBACKF_mask_events 0
#define CALLBACKF_mask_events  (1U << _CALLBACKF_mask_events)

#define CALLBACKOP_register   0   /* struct callback_register */
#define CALLBACKOP_unregister 1   /* struct callback_unregister; only the NMI callback */

#ifndef __ASSEMBLER__

#include <stdint.h>

typedef unsigned long xen_callback_t;

struct callback_register {
	uint16_t type;              /* CALLBACKTYPE_* */
	uint16_t flags;             /* CALLBACKF_* */
	xen_callback_t address;
};
typedef struct callback_register callback_register_t;

struct callback_unregister {
	uint16_t type;
	uint16_t _unused;
};
typedef struct callback_unregister callback_unregister_t;

_Static_assert(sizeof(struct callback_register) == 16, "callback_register is 16 bytes");
_Static_assert(__builtin_offsetof(struct callback_register, address) == 8, "callback_register.address @8");

#endif /* !__ASSEMBLER__ */

#endif
