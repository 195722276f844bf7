// Each vCPU's descriptor tables as the CPU sees them: the GDT frames the guest installed with
// set_gdt (entries 0..7167, frame i holding entries 512*i..), Xen's reserved entries above
// them (selectors 0xE0xx: the flat ring-3 segments every PV guest may use), and the LDT
// declared with MMUEXT_SET_LDT. A selector load (mov to DS/ES/FS/GS/SS, pop FS/GS) is checked
// against them as the hardware checks it at CPL 3.
//
// As on Xen, the hardware limit of the GDT covers every guest frame slot, so entries past
// `entries` but inside an installed frame are visible, and slots without a frame read as
// zero (Xen maps its zero page there).
import { MAX_VCPUS } from "../layout";
import { frameAddr, nrFrames } from "./frames";
import { curVcpu, vcpuCtl, VC_GDT_ENTS } from "../domain/domain";
import { raise, translateQuiet, ACC_R, EXC_GP, EXC_NP, EXC_SS } from "../cpu/mem";
import { ldtBase, ldtEntries } from "./pv_mmu";
import { codeWritten } from "../cpu/dcache";
import {
  checkDescriptor, descOk, descBase, FIRST_RESERVED_GDT_ENTRY, GDT_ENTRIES_PER_FRAME, MAX_GDT_FRAMES,
  SEG_S, SEG_P, SEG_CODE, SEG_CONFORMING, SEG_RW, SEG_ACCESSED, SEG_L,
} from "./segdesc";

// u32 MFNs of each vCPU's GDT frames (16 slots per vCPU, 14 used).
const GDT_FRAMES: u32 = <u32>memory.data(MAX_VCPUS * 16 * 4, 8);

// Xen's own GDT page (x86_64/gdt.S): index FIRST_RESERVED_GDT_ENTRY + i. Only the ring-3
// entries (0xE023 CS32, 0xE02B DS, 0xE033 CS64) can be loaded by a guest; the rest is ring 0
// or empty, and the page's other entries are empty.
const XEN_GDT: StaticArray<u64> = [
  0,
  0x00af9a000000ffff, // 0xe008 ring 0 code, 64-bit
  0x00cf92000000ffff, // 0xe010 ring 0 data
  0,
  0x00cffa000000ffff, // 0xe023 ring 3 code, compatibility mode
  0x00cff2000000ffff, // 0xe02b ring 3 data
  0x00affa000000ffff, // 0xe033 ring 3 code, 64-bit
  0x00cf9a000000ffff, // 0xe038 ring 0 code, compatibility mode
];

export function gdtEntries(v: u32): u32 {
  return load<u32>(vcpuCtl(v) + VC_GDT_ENTS);
}

export function gdtFrameCount(v: u32): u32 {
  return (gdtEntries(v) + GDT_ENTRIES_PER_FRAME - 1) / GDT_ENTRIES_PER_FRAME;
}

export function gdtFrame(v: u32, i: u32): u64 {
  return <u64>load<u32>(GDT_FRAMES + ((v * 16 + i) << 2));
}

// Record a new GDT for vCPU v (the caller moved the references).
export function gdtInstall(v: u32, frames: u32, n: u32, entries: u32): void {
  for (let i: u32 = 0; i < n; i++) store<u32>(GDT_FRAMES + ((v * 16 + i) << 2), load<u32>(frames + (i << 2)));
  for (let i: u32 = n; i < MAX_GDT_FRAMES; i++) store<u32>(GDT_FRAMES + ((v * 16 + i) << 2), 0);
  store<u32>(vcpuCtl(v) + VC_GDT_ENTS, entries);
}

// ---- lookups for the CPU ----

export let segLoadBase: u64 = 0;
let descHost: u32 = 0; // host address of the descriptor when it lives in guest memory
let descValue: u64 = 0;

// The descriptor selector sel names for the running vCPU; false if it is beyond the table.
function fetchDescriptor(sel: u32): bool {
  const idx = sel >> 3;
  descHost = 0;
  if ((sel & 4) != 0) {
    // LDT: read through the guest kernel's mapping of it, checked as Xen checks LDT pages.
    if (idx >= ldtEntries(curVcpu)) return false;
    const h = translateQuiet(ldtBase(curVcpu) + (<u64>idx << 3), ACC_R);
    if (h == 0) return false;
    const d = checkDescriptor(load<u64>(h));
    if (!descOk) return false;
    // Not marked accessed: without Xen's seg_desc type on LDT pages, the frame could be
    // anything readable (even a page table).
    descValue = d;
    return true;
  }
  if (idx >= FIRST_RESERVED_GDT_ENTRY) {
    const x = idx - FIRST_RESERVED_GDT_ENTRY;
    if (x >= GDT_ENTRIES_PER_FRAME) return false;
    descValue = x < <u32>XEN_GDT.length ? unchecked(XEN_GDT[x]) : 0;
    return true;
  }
  const f = idx / GDT_ENTRIES_PER_FRAME;
  if (f >= gdtFrameCount(curVcpu)) {
    descValue = 0;
    return true;
  }
  const mfn = gdtFrame(curVcpu, f);
  if (mfn >= <u64>nrFrames) return false;
  descHost = frameAddr(mfn) + ((idx % GDT_ENTRIES_PER_FRAME) << 3);
  descValue = load<u64>(descHost);
  return true;
}

// The CPU marks a loaded descriptor accessed in the table it read (b: its high word).
function markAccessed(b: u32): void {
  if (descHost == 0 || (b & SEG_ACCESSED) != 0) return;
  store<u32>(descHost + 4, b | SEG_ACCESSED);
  codeWritten((descHost - frameAddr(0)) >> 12);
}

// Checks of a segment-register load at CPL 3 (sr: 0 ES, 2 SS, 3 DS, 4 FS, 5 GS). Raises the
// fault the hardware would and returns false, or returns true with the base in segLoadBase.
export function segmentLoadOk(sr: u32, sel: u32): bool {
  segLoadBase = 0;
  if ((sel & 0xfffc) == 0) {
    // A null selector empties DS/ES/FS/GS; SS may be null only below CPL 3.
    if (sr == 2) {
      raise(EXC_GP, 0);
      return false;
    }
    return true;
  }
  const err = <i32>(sel & 0xfffc);
  if (!fetchDescriptor(sel)) {
    raise(EXC_GP, err);
    return false;
  }
  const b = <u32>(descValue >> 32);
  if ((b & SEG_S) == 0) {
    raise(EXC_GP, err);
    return false;
  }
  const dpl = (b >> 13) & 3;
  const rpl = sel & 3;
  const code = (b & SEG_CODE) != 0;
  if (sr == 2) {
    // SS: a writable data segment with RPL = DPL = CPL.
    if (code || (b & SEG_RW) == 0 || rpl != 3 || dpl != 3) {
      raise(EXC_GP, err);
      return false;
    }
    if ((b & SEG_P) == 0) {
      raise(EXC_SS, err);
      return false;
    }
  } else {
    // Data or readable code; privilege checked unless the code segment is conforming.
    if (code && (b & SEG_RW) == 0) {
      raise(EXC_GP, err);
      return false;
    }
    if ((!code || (b & SEG_CONFORMING) == 0) && (rpl > dpl || dpl < 3)) {
      raise(EXC_GP, err);
      return false;
    }
    if ((b & SEG_P) == 0) {
      raise(EXC_NP, err);
      return false;
    }
  }
  markAccessed(b);
  segLoadBase = descBase(descValue);
  return true;
}

// For far transfers and iretq to CPL 3 (jmp/call far, retf, iretq): the checks a code
// selector gets as the new CS. Raises the fault and returns false, or returns true with
// segLoadLong telling whether the target runs in 64-bit mode (L set) or compatibility mode.
// A call gate has DPL 0 in a PV GDT (check_descriptor), so using one faults with #GP(sel), which
// is where Xen steps in to emulate the gate.
export let segLoadLong: bool = false;

export function codeSelectorOk(sel: u32): bool {
  segLoadLong = false;
  if ((sel & 0xfffc) == 0) {
    raise(EXC_GP, 0);
    return false;
  }
  const err = <i32>(sel & 0xfffc);
  if (!fetchDescriptor(sel)) {
    raise(EXC_GP, err);
    return false;
  }
  const b = <u32>(descValue >> 32);
  const dpl = (b >> 13) & 3;
  // A code segment; a non-conforming one at exactly our privilege, a conforming one at or below.
  if ((b & SEG_S) == 0 || (b & SEG_CODE) == 0 || (sel & 3) != 3 || ((b & SEG_CONFORMING) == 0 && dpl != 3)) {
    raise(EXC_GP, err);
    return false;
  }
  if ((b & SEG_P) == 0) {
    raise(EXC_NP, err);
    return false;
  }
  markAccessed(b);
  segLoadLong = (b & SEG_L) != 0;
  return true;
}
