/*
 * The event callback. Xen enters it like an exception with events masked; the frame is, from
 * RSP upward: RCX, R11, RIP, CS, RFLAGS, RSP, SS (no error code). We restore RCX and R11, save
 * the other registers, run do_hypervisor_callback and return through the iret hypercall, which
 * restores the event mask from the frame's RFLAGS.IF (events were enabled when we were entered).
 */
	.code64
	.text
	.globl hypervisor_callback
hypervisor_callback:
	pop %rcx
	pop %r11
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	/* 9 pushes on a 16-byte aligned frame base leave RSP 8 off: realign for the C ABI. */
	sub $8, %rsp
	call do_hypervisor_callback
	add $8, %rsp
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	push $0			/* iret flags: not returning from a syscall */
	jmp hypercall_page + 23 * 32

/* Segment reload failures cannot happen to this library's guests: crash loudly. */
	.globl failsafe_callback
failsafe_callback:
	call failsafe_panic
	ud2

	.section .note.GNU-stack, "", @progbits
