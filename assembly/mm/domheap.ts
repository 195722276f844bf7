// A domain's memory allocation (Xen's alloc_domheap_pages / free_domheap_pages with the
// domain's accounting): frames handed to a domain count in its tot_pages, which may not pass
// max_pages. A frame the domain gives back loses its allocation (FTF_ALLOCATED, Xen's
// PGC_allocated) but lives on, still owned, while anything references it (a mapping, a pin, a
// base pointer, a GDT): it is freed, and leaves tot_pages, when the last reference goes.
import { allocFrame, allocRun, freeFrame, frameAddr, ftEntry, FT_COUNT, FT_OWNER, FT_FLAGS, FTF_ALLOCATED, OWNER_FREE } from "./frames";
import {
  dom, domValid, domExists, vcpuCtl, DOM_TOT_PAGES, DOM_MAX_PAGES, DOM_SHARED_INFO, DOM_NR_VCPUS, DOM_VCPU0, VC_VCPU_INFO,
} from "../domain/domain";
import { codeWritten } from "../cpu/dcache";

// A new frame for domain d, counted in its reservation; frames at or above limit (a machine
// frame number, 0 = no limit) are refused. The MFN, or -1 when d is at max_pages or no frame
// fits.
export function domAllocPage(d: u32, limit: u64): i64 {
  const p = dom(d);
  const tot = load<u32>(p + DOM_TOT_PAGES);
  if (tot >= load<u32>(p + DOM_MAX_PAGES)) return -1;
  const mfn = allocRawPage(d, limit);
  if (mfn < 0) return -1;
  store<u32>(p + DOM_TOT_PAGES, tot + 1);
  return mfn;
}

// An extent of 2^order frames for d (a naturally aligned run, mm/frames.ts allocRun), counted
// in its reservation; below frame `limit` (0: anywhere). The first MFN, or -1 when the extent
// would pass max_pages or no such run is free.
export function domAllocExtent(d: u32, order: u32, limit: u64): i64 {
  if (order == 0) return domAllocPage(d, limit);
  const p = dom(d);
  const tot = load<u32>(p + DOM_TOT_PAGES);
  const n: u32 = 1 << order;
  if (<u64>tot + <u64>n > <u64>load<u32>(p + DOM_MAX_PAGES)) return -1;
  const mfn = allocRun(d, order, limit);
  if (mfn < 0) return -1;
  store<u32>(p + DOM_TOT_PAGES, tot + n);
  return mfn;
}

// An extent for d that does not count in tot_pages (memory_exchange's output).
export function allocRawExtent(d: u32, order: u32, limit: u64): i64 {
  return order == 0 ? allocRawPage(d, limit) : allocRun(d, order, limit);
}

// A frame for d that does not count in tot_pages (MEMF_no_refcount: memory_exchange, whose
// output replaces input that leaves without being uncounted).
export function allocRawPage(d: u32, limit: u64): i64 {
  const mfn = allocFrame(d);
  if (mfn < 0) return -1;
  if (limit != 0 && <u64>mfn >= limit) {
    // The allocator's next frame is too high: give it back (it is popped again next time).
    freeFrame(<u32>mfn);
    return -1;
  }
  return mfn;
}

// Free a frame that lost its allocation once nobody references it; its owner's tot_pages
// drops. A type reference always comes with a general one, so a general count of zero means
// the frame is unused. Safe to call on any frame.
export function releaseIfUnused(mfn: u64): void {
  const e = ftEntry(mfn);
  const owner = <u32>load<u16>(e + FT_OWNER);
  if (owner == OWNER_FREE) return;
  if ((load<u16>(e + FT_FLAGS) & FTF_ALLOCATED) != 0) return;
  if (load<u32>(e + FT_COUNT) != 0) return;
  if (domValid(owner)) {
    const p = dom(owner);
    const tot = load<u32>(p + DOM_TOT_PAGES);
    if (tot > 0) store<u32>(p + DOM_TOT_PAGES, tot - 1);
  } else if (domExists(owner)) {
    reapWanted = true; // a destroyed domain's frame: maybe its last (domain/destroy.ts)
  }
  freeDomFrame(mfn);
}

// A frame of a dying domain was freed since reapDomains last looked.
export let reapWanted: bool = false;
export function setReapWanted(on: bool): void {
  reapWanted = on;
}

// Back to the pool. freeFrame clears the frame's flags, including the mark that the CPU
// decoded code from it, so the decoded blocks are dropped first.
export function freeDomFrame(mfn: u64): void {
  codeWritten(<u32>mfn);
  freeFrame(<u32>mfn);
}

// Take the allocation away (guest_remove_page's test_and_clear PGC_allocated); false if the
// frame had none.
export function clearAllocated(mfn: u64): bool {
  const e = ftEntry(mfn) + FT_FLAGS;
  const f = load<u16>(e);
  if ((f & FTF_ALLOCATED) == 0) return false;
  store<u16>(e, f & ~FTF_ALLOCATED);
  return true;
}

export function restoreAllocated(mfn: u64): void {
  const e = ftEntry(mfn) + FT_FLAGS;
  store<u16>(e, load<u16>(e) | FTF_ALLOCATED);
}

// Frames the hypervisor writes into without holding a reference: the domain's shared_info
// and every vcpu_info a vCPU registered. They cannot be given back, traded away or take
// another use (a GDT); Xen keeps a writable type reference on them for the same effect.
export function hypervisorUses(mfn: u64, d: u32): bool {
  const p = dom(d);
  if (<u64>load<u32>(p + DOM_SHARED_INFO) == mfn) return true;
  const v0 = load<u32>(p + DOM_VCPU0);
  const n = load<u32>(p + DOM_NR_VCPUS);
  const lo = frameAddr(mfn);
  for (let v = v0; v < v0 + n; v++) {
    const at = load<u32>(vcpuCtl(v) + VC_VCPU_INFO);
    if (at >= lo && at < lo + 4096) return true;
  }
  return false;
}

