/*
 * The failsafe callback. Xen's frame, from RSP upward: RCX, R11, DS, ES, FS, GS, RIP, CS,
 * RFLAGS, RSP, SS. Record the selectors, drop them from the frame and return through the iret
 * hypercall with the (now null) selectors left as they are.
 */
	.code64
	.text
	.globl failsafe_entry
failsafe_entry:
	movq 16(%rsp), %rax
	movq %rax, failsafe_ds(%rip)
	movq 24(%rsp), %rax
	movq %rax, failsafe_es(%rip)
	movq 32(%rsp), %rax
	movq %rax, failsafe_fs(%rip)
	movq 40(%rsp), %rax
	movq %rax, failsafe_gs(%rip)
	incl failsafe_count(%rip)
	pop %rcx
	pop %r11
	add $32, %rsp		/* DS, ES, FS, GS */
	push $0			/* iret flags */
	jmp hypercall_page + 23 * 32

	.section .note.GNU-stack, "", @progbits
