/* nmi_op (hypercall 28). */
#ifndef XEN_PUBLIC_NMI_H
#define XEN_PUBLIC_NMI_H

#define XENNMI_register_callback   0   /* struct xennmi_callback */
#define XENNMI_unregister_callback 1

#ifndef __ASSEMBLER__

struct xennmi_callback {
	unsigned long handler_address;
	unsigned long pad;
};
typedef struct xennmi_callback xennmi_callback_t;

#endif /* !__ASSEMBLER__ */

#endif
