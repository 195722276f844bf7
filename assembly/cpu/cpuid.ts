// CPUID as xenwasm's virtual CPU reports it: an x86-64 baseline processor (SSE2, CX16,
// POPCNT, NX, RDTSCP) under Xen, with Xen's hypervisor leaves at 0x40000000.
import { getReg, setReg, RAX, RBX, RCX, RDX } from "./regs";
import { XEN_MAJOR, XEN_MINOR } from "../abi/xen";

@inline function str4(a: u32, b: u32, c: u32, d: u32): u64 {
  return <u64>(a | (b << 8) | (c << 16) | (d << 24));
}

export function cpuid(): void {
  const leaf = <u32>getReg(RAX, 4);
  let a: u64 = 0, b: u64 = 0, c: u64 = 0, d: u64 = 0;
  switch (leaf) {
    case 0: // max leaf, "GenuineIntel"
      a = 0xd;
      b = str4(0x47, 0x65, 0x6e, 0x75);
      d = str4(0x69, 0x6e, 0x65, 0x49);
      c = str4(0x6e, 0x74, 0x65, 0x6c);
      break;
    case 1:
      a = 0x000306a9; // family 6
      b = 0x00010800; // 1 logical processor, clflush line 64
      // ECX: CX16 (13), POPCNT (23), hypervisor (31)
      c = (1 << 13) | (1 << 23) | (<u64>1 << 31);
      // EDX: FPU TSC MSR CX8 SEP? no; CMOV PAT? no; CLFSH MMX FXSR SSE SSE2
      d = (1 << 0) | (1 << 4) | (1 << 5) | (1 << 8) | (1 << 15) | (1 << 19) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26);
      break;
    case 0xd:
      break; // no XSAVE
    case 0x40000000:
      a = 0x40000005;
      b = str4(0x58, 0x65, 0x6e, 0x56); // "XenV"
      c = str4(0x4d, 0x4d, 0x58, 0x65); // "MMXe"
      d = str4(0x6e, 0x56, 0x4d, 0x4d); // "nVMM"
      break;
    case 0x40000001:
      a = (<u64>XEN_MAJOR << 16) | <u64>XEN_MINOR;
      break;
    case 0x40000002:
      a = 1; // one hypercall page
      b = 0x40000000; // hypercall-page MSR
      break;
    case 0x80000000:
      a = 0x80000008;
      break;
    case 0x80000001:
      c = 1; // LAHF/SAHF in long mode
      d = (1 << 11) | (1 << 20) | (1 << 27) | (1 << 29); // SYSCALL NX RDTSCP LM
      break;
    case 0x80000008:
      a = 0x3028; // 40 physical, 48 virtual address bits
      break;
    default:
      break;
  }
  setReg(RAX, 4, a);
  setReg(RBX, 4, b);
  setReg(RCX, 4, c);
  setReg(RDX, 4, d);
}
