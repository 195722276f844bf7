// Segment descriptors a 64-bit PV guest may put in its GDT or LDT (Xen's check_descriptor in
// pv/descriptor-tables.c). The guest kernel runs in ring 3, so every present descriptor gets
// DPL 3; code and data segments are otherwise free (in 64-bit mode base and limit matter only
// for FS and GS, and only the low 32 bits of the base); of the system descriptors only a call
// gate survives, and only when its target is a guest selector or Xen's flat kernel CS. Its DPL
// is forced to 0 (so using it faults into the hypervisor, which can emulate it) and its
// selector's RPL remembers the DPL. Nothing else (TSS, LDT, interrupt/trap gates) is allowed.
import { frameAddr } from "./frames";
import { codeWritten } from "../cpu/dcache";
import { FLAT_KERNEL_CS64 } from "../abi/xen";

// High dword of a descriptor.
export const SEG_TYPE: u32 = 0xf00;
export const SEG_S: u32 = 0x1000;
export const SEG_DPL: u32 = 0x6000;
export const SEG_P: u32 = 0x8000;
export const SEG_L: u32 = 0x200000;
export const SEG_CODE: u32 = 0x800; // type bit 3 (with S)
export const SEG_CONFORMING: u32 = 0x400; // code: conforming; data: expand-down
export const SEG_RW: u32 = 0x200; // code: readable; data: writable
export const SEG_ACCESSED: u32 = 0x100;
const TYPE_CALL_GATE: u32 = 0xc00;

// FIRST_RESERVED_GDT_ENTRY: entries 0..7167 are the guest's (14 frames of 512).
export const FIRST_RESERVED_GDT_ENTRY: u32 = 7168;
export const GDT_ENTRIES_PER_FRAME: u32 = 512;
export const MAX_GDT_FRAMES: u32 = 14;

// The fixed-up descriptor is the result; descOk tells whether the input was acceptable.
export let descOk: bool = true;

// guest_gate_selector_okay: a gate may not lead into Xen's private segments.
function gateSelectorOk(sel: u32): bool {
  return (sel >> 3) < FIRST_RESERVED_GDT_ENTRY || sel == <u32>FLAT_KERNEL_CS64 || (sel & 4) != 0;
}

export function checkDescriptor(d: u64): u64 {
  descOk = true;
  let a = <u32>d;
  let b = <u32>(d >> 32);
  // A not-present descriptor always faults when used.
  if ((b & SEG_P) == 0) return d;
  b |= SEG_DPL;
  if ((b & SEG_S) != 0) return (<u64>b << 32) | <u64>a;
  // Type 0 is harmless: it is the upper half of a 16-byte call gate.
  if ((b & SEG_TYPE) == 0) return d;
  if ((b & SEG_TYPE) != TYPE_CALL_GATE) {
    descOk = false;
    return d;
  }
  let cs = a >> 16;
  if (!gateSelectorOk(cs)) {
    descOk = false;
    return d;
  }
  b &= ~SEG_DPL;
  cs = (cs & ~(<u32>3)) | 3;
  a = (a & 0xffff) | (cs << 16);
  // Parameter count and reserved bits must be zero in a 64-bit gate.
  if ((b & 0xff) != 0) {
    descOk = false;
    return d;
  }
  return (<u64>b << 32) | <u64>a;
}

// validate_segdesc_page: a frame becomes a descriptor page only if all 512 entries pass; the
// accepted entries are stored fixed up. 0 or -EINVAL (22).
export function validateSegDescPage(mfn: u64): i64 {
  const base = frameAddr(mfn);
  for (let i: u32 = 0; i < GDT_ENTRIES_PER_FRAME; i++) {
    checkDescriptor(load<u64>(base + (i << 3)));
    if (!descOk) return -22;
  }
  let changed = false;
  for (let i: u32 = 0; i < GDT_ENTRIES_PER_FRAME; i++) {
    const p = base + (i << 3);
    const o = load<u64>(p);
    const n = checkDescriptor(o);
    if (n != o) {
      store<u64>(p, n);
      changed = true;
    }
  }
  if (changed) codeWritten(<u32>mfn);
  descOk = true;
  return 0;
}

// Base of a code/data descriptor (32 bits; FS and GS take it in 64-bit mode).
export function descBase(d: u64): u64 {
  const a = <u32>d;
  const b = <u32>(d >> 32);
  return <u64>((b & 0xff000000) | ((b & 0xff) << 16) | (a >> 16));
}
