// Guest virtual memory as the CPU sees it: a software TLB over page walks of the guest's
// own (validated) page tables, the read/write helpers every instruction uses, and the
// exception state of the instruction being executed.
import {
  CR2, CR3, TLB_TAG_R, TLB_TAG_W, TLB_TAG_X, TLB_HOST, TLB_HOST_X, TLB_ENTRIES, FETCHBUF, SCRATCH,
} from "../layout";
import { poolBase, nrFrames, m2pBase, m2pBytes } from "../mm/frames";
import { MACH2PHYS_VIRT_START } from "../abi/xen";
import { charge, COST_PAGE_WALK } from "../time/clock";
import { frameHasCode, codeWritten } from "./dcache";
import { m2pHiddenFromUser } from "../hypercalls/vm_assist";

// ---- exceptions raised by the current instruction ----
export const EXC_DE: u32 = 0;
export const EXC_DB: u32 = 1;
export const EXC_NMI: u32 = 2;
export const EXC_BP: u32 = 3;
export const EXC_OF: u32 = 4;
export const EXC_BR: u32 = 5;
export const EXC_UD: u32 = 6;
export const EXC_NM: u32 = 7;
export const EXC_DF: u32 = 8;
export const EXC_TS: u32 = 10;
export const EXC_NP: u32 = 11;
export const EXC_SS: u32 = 12;
export const EXC_GP: u32 = 13;
export const EXC_PF: u32 = 14;
export const EXC_MF: u32 = 16;
export const EXC_AC: u32 = 17;
export const EXC_XM: u32 = 19;

export let faulted: bool = false;
export let excVector: u32 = 0;
export let excError: i32 = -1; // -1: the vector pushes no error code
export let excAddr: u64 = 0; // #PF linear address

export function raise(vector: u32, error: i32): void {
  if (faulted) return;
  faulted = true;
  mapEpoch++; // the run loop checks for faults only when the epoch moved
  excVector = vector;
  excError = error;
}

export function raiseGP0(): void {
  raise(EXC_GP, 0);
}

export function clearFault(): void {
  faulted = false;
  nonCanonicalData = false;
}

// The raised #GP(0) came from a data access to a non-canonical address: the CPU raises #SS(0)
// instead when that access went through the stack segment (cpu/exec.ts stackSegmentFault).
export let nonCanonicalData: bool = false;

// Change the vector of the raised fault (same error code).
export function setFaultVector(vector: u32): void {
  excVector = vector;
}

// ---- page walk ----
export const ACC_R: u32 = 0;
export const ACC_W: u32 = 1;
export const ACC_X: u32 = 2;

export const PTE_P: u64 = 0x1;
export const PTE_RW: u64 = 0x2;
export const PTE_US: u64 = 0x4;
export const PTE_A: u64 = 0x20;
export const PTE_D: u64 = 0x40;
export const PTE_PSE: u64 = 0x80;
export const PTE_NX: u64 = <u64>1 << 63;
export const PTE_ADDR: u64 = 0x000ffffffffff000;

// Whether the vCPU is in guest user mode (error code U bit; Xen reports guest user/kernel).
export let guestUser: bool = false;
export function setGuestUser(u: bool): void {
  guestUser = u;
}

@inline export function canonical(va: u64): bool {
  return <u64>((<i64>(va << 16)) >> 16) == va;
}

// Generation tag in bits 63:52 so a flush is one increment.
let tlbGen: u64 = 0;
const GEN_ONE: u64 = <u64>1 << 52;
const GEN_LAST: u64 = <u64>0xffe << 52;

// Bumped whenever a mapping or cached code may have changed: the run loop stops executing
// a decoded block when it moves.
export let mapEpoch: u32 = 0;
export function bumpEpoch(): void {
  mapEpoch++;
}

export function tlbFlushAll(): void {
  mapEpoch++;
  if (tlbGen >= GEN_LAST) {
    memory.fill(TLB_TAG_R, 0xff, TLB_HOST - TLB_TAG_R);
    tlbGen = 0;
  } else {
    tlbGen += GEN_ONE;
  }
}

export function tlbReset(): void {
  mapEpoch++;
  memory.fill(TLB_TAG_R, 0xff, TLB_HOST - TLB_TAG_R);
  tlbGen = 0;
}

export function tlbFlushPage(va: u64): void {
  mapEpoch++;
  const i = (<u32>(va >> 12) & (TLB_ENTRIES - 1)) << 3;
  store<u64>(TLB_TAG_R + i, <u64>-1);
  store<u64>(TLB_TAG_W + i, <u64>-1);
  store<u64>(TLB_TAG_X + i, <u64>-1);
}

// Mix higher page-number bits in so regions 2^n pages apart do not collide.
@inline function tlbIndex(va: u64): u32 {
  const vpn = <u32>(va >> 12);
  return (vpn ^ (vpn >> 12)) & (TLB_ENTRIES - 1);
}

@inline function tlbTag(va: u64): u64 {
  return (va >> 12) ^ tlbGen;
}

// Writable page tables (mm/ptwr.ts): while an instruction that faulted writing a read-only
// page-table page is run again, its writes to that page (virtual page ptwrVpn) go to the
// shadow copy at host address ptwrHost, never through the TLB.
let ptwrVpn: u64 = 0;
let ptwrHost: u32 = 0;
export function setPtwrWindow(vpn: u64, host: u32): void {
  ptwrVpn = vpn;
  ptwrHost = host;
}

function nonCanonicalFault(acc: u32): void {
  if (faulted) return;
  raiseGP0();
  nonCanonicalData = acc != ACC_X;
}

// An access that crosses a page boundary is checked for canonical form as a whole before
// either page is walked (the CPU's segmentation stage comes before paging): true, with #GP(0)
// raised, when its last byte is not canonical.
function crossesNonCanonical(va: u64, size: u32): bool {
  if (canonical(va + <u64>(size - 1))) return false;
  nonCanonicalFault(ACC_R);
  return true;
}

// Walk the active page tables for va. Returns the host address of the page, or 0 after
// raising the fault when `report` (else silently). Fills the TLB on success.
export function walk(va: u64, acc: u32, report: bool): u32 {
  charge(COST_PAGE_WALK);
  if (!canonical(va)) {
    if (report) nonCanonicalFault(acc);
    return 0;
  }
  const l4i = <u32>(va >> 39) & 511;
  if (l4i >= 256 && l4i < 272) return walkHole(va, acc, report);
  let table = load<u64>(CR3) & PTE_ADDR;
  let allowW = true;
  let allowX = true;
  let e: u64 = 0;
  let eaddr: u32 = 0;
  for (let level = 4; level >= 1; level--) {
    const mfn = table >> 12;
    if (mfn >= <u64>nrFrames) return pageFault(va, acc, false, report);
    const idx = <u32>(va >> (12 + 9 * (level - 1))) & 511;
    eaddr = poolBase + (<u32>mfn << 12) + (idx << 3);
    e = load<u64>(eaddr);
    if ((e & PTE_P) == 0) return pageFault(va, acc, false, report);
    if ((e & PTE_US) == 0) return pageFault(va, acc, true, report);
    if ((e & PTE_RW) == 0) allowW = false;
    if ((e & PTE_NX) != 0) allowX = false;
    if (level > 1 && (e & PTE_PSE) != 0) return pageFault(va, acc, true, report); // no superpages in PV
    if ((e & PTE_A) == 0) {
      e |= PTE_A;
      store<u64>(eaddr, e);
    }
    table = e & PTE_ADDR;
  }
  if (acc == ACC_W && !allowW) {
    if (ptwrHost != 0 && (va >> 12) == ptwrVpn) return ptwrHost;
    return pageFault(va, acc, true, report);
  }
  if (acc == ACC_X && !allowX) return pageFault(va, acc, true, report);
  const mfn = table >> 12;
  if (mfn >= <u64>nrFrames) return pageFault(va, acc, true, report);
  if (acc == ACC_W && (e & PTE_D) == 0) {
    e |= PTE_D;
    store<u64>(eaddr, e);
  }
  const host = poolBase + (<u32>mfn << 12);
  const i = tlbIndex(va);
  const tag = tlbTag(va);
  if (acc == ACC_X) {
    // The fetch side has its own entries so code and data never evict each other.
    store<u64>(TLB_TAG_X + (i << 3), tag);
    store<u32>(TLB_HOST_X + (i << 2), host);
  } else {
    store<u64>(TLB_TAG_R + (i << 3), tag);
    // Writes to frames holding decoded code always take the slow path (cache invalidation).
    const w = allowW && (e & PTE_D) != 0 && !frameHasCode(<u32>mfn);
    store<u64>(TLB_TAG_W + (i << 3), w ? tag : <u64>-1);
    store<u32>(TLB_HOST + (i << 2), host);
  }
  return host;
}

// The hypervisor's own slots in every L4 (256..271): only the read-only M2P is visible.
function walkHole(va: u64, acc: u32, report: bool): u32 {
  const off = va - MACH2PHYS_VIRT_START;
  // VMASST_TYPE_m2p_strict: Xen leaves the M2P out of user-mode page tables.
  if (guestUser && m2pHiddenFromUser()) return pageFault(va, acc, false, report);
  if (off < <u64>m2pBytes) {
    if (acc != ACC_R) return pageFault(va, acc, true, report);
    const host = m2pBase + (<u32>off & ~0xfff);
    const i = tlbIndex(va);
    store<u64>(TLB_TAG_R + (i << 3), tlbTag(va));
    store<u64>(TLB_TAG_W + (i << 3), <u64>-1);
    store<u32>(TLB_HOST + (i << 2), host);
    return host;
  }
  return pageFault(va, acc, off < <u64>0x4000000000, report);
}

function pageFault(va: u64, acc: u32, present: bool, report: bool): u32 {
  // Only the first fault of an instruction is reported (an access spanning two unmapped pages
  // faults on the first).
  if (!report || faulted) return 0;
  let err: i32 = present ? 1 : 0;
  if (acc == ACC_W) err |= 2;
  if (guestUser) err |= 4;
  if (acc == ACC_X) err |= 0x10;
  raise(EXC_PF, err);
  excAddr = va;
  store<u64>(CR2, va);
  return 0;
}

// Host address of va for access acc, 0 with the fault raised if it is not accessible.
@inline export function translate(va: u64, acc: u32): u32 {
  const i = tlbIndex(va);
  const tagAddr = acc == ACC_R ? TLB_TAG_R : acc == ACC_W ? TLB_TAG_W : TLB_TAG_X;
  const hostAddr = acc == ACC_X ? TLB_HOST_X : TLB_HOST;
  if (load<u64>(tagAddr + (i << 3)) == tlbTag(va)) return load<u32>(hostAddr + (i << 2)) + (<u32>va & 0xfff);
  const h = walk(va, acc, true);
  return h == 0 ? 0 : h + (<u32>va & 0xfff);
}

// Like translate, but never raises: for hypercall handlers reading guest buffers.
export function translateQuiet(va: u64, acc: u32): u32 {
  const i = tlbIndex(va);
  const tagAddr = acc == ACC_R ? TLB_TAG_R : acc == ACC_W ? TLB_TAG_W : TLB_TAG_X;
  const hostAddr = acc == ACC_X ? TLB_HOST_X : TLB_HOST;
  if (load<u64>(tagAddr + (i << 3)) == tlbTag(va)) return load<u32>(hostAddr + (i << 2)) + (<u32>va & 0xfff);
  const h = walk(va, acc, false);
  return h == 0 ? 0 : h + (<u32>va & 0xfff);
}

// ---- data access ----
// Every read returns 0 after raising a fault; callers check `faulted` before changing state.

@inline export function rd8(va: u64): u64 {
  const i = tlbIndex(va);
  if (load<u64>(TLB_TAG_R + (i << 3)) == tlbTag(va)) return <u64>load<u8>(load<u32>(TLB_HOST + (i << 2)) + (<u32>va & 0xfff));
  return rdSlow(va, 1);
}

@inline export function rd16(va: u64): u64 {
  const i = tlbIndex(va);
  if ((<u32>va & 0xfff) <= 0xffe && load<u64>(TLB_TAG_R + (i << 3)) == tlbTag(va))
    return <u64>load<u16>(load<u32>(TLB_HOST + (i << 2)) + (<u32>va & 0xfff));
  return rdSlow(va, 2);
}

@inline export function rd32(va: u64): u64 {
  const i = tlbIndex(va);
  if ((<u32>va & 0xfff) <= 0xffc && load<u64>(TLB_TAG_R + (i << 3)) == tlbTag(va))
    return <u64>load<u32>(load<u32>(TLB_HOST + (i << 2)) + (<u32>va & 0xfff));
  return rdSlow(va, 4);
}

@inline export function rd64(va: u64): u64 {
  const i = tlbIndex(va);
  if ((<u32>va & 0xfff) <= 0xff8 && load<u64>(TLB_TAG_R + (i << 3)) == tlbTag(va))
    return load<u64>(load<u32>(TLB_HOST + (i << 2)) + (<u32>va & 0xfff));
  return rdSlow(va, 8);
}

export function rdN(va: u64, size: u32): u64 {
  if (size == 8) return rd64(va);
  if (size == 4) return rd32(va);
  if (size == 2) return rd16(va);
  return rd8(va);
}

function rdSlow(va: u64, size: u32): u64 {
  const off = <u32>va & 0xfff;
  if (off + size <= 4096) {
    const h = walk(va, ACC_R, true);
    if (h == 0) return 0;
    const p = h + off;
    if (size == 8) return load<u64>(p);
    if (size == 4) return <u64>load<u32>(p);
    if (size == 2) return <u64>load<u16>(p);
    return <u64>load<u8>(p);
  }
  // Crosses into the next page: both pages must be readable.
  if (crossesNonCanonical(va, size)) return 0;
  const first = 4096 - off;
  const h1 = walk(va, ACC_R, true);
  if (h1 == 0) return 0;
  const h2 = walk(va + first, ACC_R, true);
  if (h2 == 0) return 0;
  memory.copy(SCRATCH, h1 + off, first);
  memory.copy(SCRATCH + first, h2, size - first);
  if (size == 8) return load<u64>(SCRATCH);
  if (size == 4) return <u64>load<u32>(SCRATCH);
  return <u64>load<u16>(SCRATCH);
}

// Reads of 16 bytes (SSE) into dst (host address).
export function rd128(va: u64, dst: u32): void {
  const off = <u32>va & 0xfff;
  if (off <= 0xff0) {
    const h = translate(va, ACC_R);
    if (h == 0) return;
    v128.store(dst, v128.load(h));
    return;
  }
  if (crossesNonCanonical(va, 16)) return;
  const lo = rd64(va);
  const hi = rd64(va + 8);
  if (faulted) return;
  store<u64>(dst, lo);
  store<u64>(dst + 8, hi);
}

// Check that [va, va+size) is writable (faulting if not) without writing: for read-modify-write.
export function probeWrite(va: u64, size: u32): bool {
  const off = <u32>va & 0xfff;
  if (off + size > 4096 && crossesNonCanonical(va, size)) return false;
  if (translate(va, ACC_W) == 0) return false;
  if (off + size > 4096) return translate(va + (4096 - off), ACC_W) != 0;
  return true;
}

@inline export function wr8(va: u64, v: u64): void {
  const i = tlbIndex(va);
  if (load<u64>(TLB_TAG_W + (i << 3)) == tlbTag(va)) {
    store<u8>(load<u32>(TLB_HOST + (i << 2)) + (<u32>va & 0xfff), <u8>v);
    return;
  }
  wrSlow(va, 1, v);
}

@inline export function wr16(va: u64, v: u64): void {
  const i = tlbIndex(va);
  if ((<u32>va & 0xfff) <= 0xffe && load<u64>(TLB_TAG_W + (i << 3)) == tlbTag(va)) {
    store<u16>(load<u32>(TLB_HOST + (i << 2)) + (<u32>va & 0xfff), <u16>v);
    return;
  }
  wrSlow(va, 2, v);
}

@inline export function wr32(va: u64, v: u64): void {
  const i = tlbIndex(va);
  if ((<u32>va & 0xfff) <= 0xffc && load<u64>(TLB_TAG_W + (i << 3)) == tlbTag(va)) {
    store<u32>(load<u32>(TLB_HOST + (i << 2)) + (<u32>va & 0xfff), <u32>v);
    return;
  }
  wrSlow(va, 4, v);
}

@inline export function wr64(va: u64, v: u64): void {
  const i = tlbIndex(va);
  if ((<u32>va & 0xfff) <= 0xff8 && load<u64>(TLB_TAG_W + (i << 3)) == tlbTag(va)) {
    store<u64>(load<u32>(TLB_HOST + (i << 2)) + (<u32>va & 0xfff), v);
    return;
  }
  wrSlow(va, 8, v);
}

export function wrN(va: u64, size: u32, v: u64): void {
  if (size == 8) wr64(va, v);
  else if (size == 4) wr32(va, v);
  else if (size == 2) wr16(va, v);
  else wr8(va, v);
}

function wrSlow(va: u64, size: u32, v: u64): void {
  const off = <u32>va & 0xfff;
  if (off + size <= 4096) {
    const h = walk(va, ACC_W, true);
    if (h == 0) return;
    const p = h + off;
    if (size == 8) store<u64>(p, v);
    else if (size == 4) store<u32>(p, <u32>v);
    else if (size == 2) store<u16>(p, <u16>v);
    else store<u8>(p, <u8>v);
    notifyWrite(h);
    return;
  }
  if (crossesNonCanonical(va, size)) return;
  const first = 4096 - off;
  const h1 = walk(va, ACC_W, true);
  if (h1 == 0) return;
  const h2 = walk(va + first, ACC_W, true);
  if (h2 == 0) return;
  store<u64>(SCRATCH, v);
  memory.copy(h1 + off, SCRATCH, first);
  memory.copy(h2, SCRATCH + first, size - first);
  notifyWrite(h1);
  notifyWrite(h2);
}

export function wr128(va: u64, src: u32): void {
  const off = <u32>va & 0xfff;
  if (off <= 0xff0) {
    const i = tlbIndex(va);
    if (load<u64>(TLB_TAG_W + (i << 3)) == tlbTag(va)) {
      v128.store(load<u32>(TLB_HOST + (i << 2)) + off, v128.load(src));
      return;
    }
    // Slow path: the page may hold decoded code (its write entry is never cached then).
    const h = walk(va, ACC_W, true);
    if (h == 0) return;
    v128.store(h + off, v128.load(src));
    notifyWrite(h);
    return;
  }
  if (!probeWrite(va, 16)) return;
  wr64(va, load<u64>(src));
  wr64(va + 8, load<u64>(src + 8));
}

// Writes that took the slow path: drop decoded instructions of the page if it had any.
@inline function notifyWrite(pageHost: u32): void {
  if (pageHost >= poolBase) codeWritten((pageHost - poolBase) >> 12);
}

// Forget write permissions cached for a frame (it now holds decoded code).
export function tlbDropWrites(pageHost: u32): void {
  for (let i: u32 = 0; i < TLB_ENTRIES; i++) {
    if (load<u32>(TLB_HOST + (i << 2)) == pageHost) store<u64>(TLB_TAG_W + (i << 3), <u64>-1);
  }
}

// ---- instruction fetch ----
// Returns the host address to decode from, or 0 after raising #PF for the first byte. When
// the instruction may cross into the next page, the bytes are gathered in FETCHBUF and
// fetchAvail says how many are real (the decoder raises #PF if it needs more).
export let fetchAvail: u32 = 16;

// Host address of the instruction at rip when it cannot cross a page; 0 after #PF.
@inline export function fetchHost(rip: u64): u32 {
  const i = tlbIndex(rip);
  fetchAvail = 16;
  if (load<u64>(TLB_TAG_X + (i << 3)) == tlbTag(rip)) return load<u32>(TLB_HOST_X + (i << 2)) + (<u32>rip & 0xfff);
  const h = walk(rip, ACC_X, true);
  return h == 0 ? 0 : h + (<u32>rip & 0xfff);
}
export let fetchNextPage: u64 = 0;

export function fetchPtr(rip: u64): u32 {
  const off = <u32>rip & 0xfff;
  const i = tlbIndex(rip);
  let h: u32;
  if (load<u64>(TLB_TAG_X + (i << 3)) == tlbTag(rip)) h = load<u32>(TLB_HOST_X + (i << 2));
  else {
    h = walk(rip, ACC_X, true);
    if (h == 0) return 0;
  }
  if (off <= 4096 - 16) {
    fetchAvail = 16;
    return h + off;
  }
  const first = 4096 - off;
  memory.copy(FETCHBUF, h + off, first);
  const next = rip + <u64>first;
  fetchNextPage = next;
  const h2 = walk(next, ACC_X, false);
  if (h2 == 0) {
    memory.fill(FETCHBUF + first, 0, 32 - first);
    fetchAvail = first;
  } else {
    memory.copy(FETCHBUF + first, h2, 16);
    fetchAvail = 16;
  }
  return FETCHBUF;
}

// The decoder needed bytes beyond a page it could not fetch.
export function fetchFault(): void {
  walk(fetchNextPage, ACC_X, true);
}

// Pool sanity for host-provided addresses.
export function hostAddrOfMfn(mfn: u64): u32 {
  return mfn < <u64>nrFrames ? poolBase + (<u32>mfn << 12) : 0;
}
