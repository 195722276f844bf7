// memory_op(cmd, arg) (xen/common/memory.c do_memory_op, xen/arch/x86/mm.c arch_memory_op,
// x86_64/mm.c subarch_memory_op) for a PV guest, whose frame numbers are machine frames:
// reservation changes (increase, decrease, populate_physmap, exchange: memory_exchange.ts
// holds the last), and what a kernel asks about memory (current/maximum reservation,
// maximum_ram_page, maximum_gpfn, the e820 map, where the M2P is).
//
// cmd & 0x3f is the op and cmd >> 6 the extent to start from: a long batch is continued by
// re-issuing the call with the extents done so far there (Xen's MEMOP_EXTENT_SHIFT). A
// reservation op answers with the number of extents done, so every early error (bad
// argument, unknown or forbidden domain) just returns the start extent.
import { EINVAL, EFAULT, ESRCH, EPERM, ENOSYS, EDOM, EACCES, DOMID_SELF, MACH2PHYS_VIRT_START, MACH2PHYS_VIRT_END } from "../abi/xen";
import { HV_SCRATCH } from "../layout";
import { curDom, dom, domValid, DOM_MAX_PAGES, DOM_TOT_PAGES, DOM_SHARED_INFO } from "../domain/domain";
import { copyFromGuest, copyToGuest, getGuestU64, putGuestU64, guestOk } from "../mm/guest";
import { nrFrames, frameAddr, m2pSet, mfnValid } from "../mm/frames";
import { addrOk, unpinTable } from "../mm/pv_mmu";
import { getPage, putPage, typeInfo, PGT_pinned } from "../mm/validate";
import { domAllocExtent, releaseIfUnused, clearAllocated, hypervisorUses } from "../mm/domheap";
import { SH_arch_max_pfn } from "../abi/structs";
import { xsmTarget } from "./mmu_update";
import { createContinuation, setArg1 } from "./args";
import { memoryExchange } from "./memory_exchange";
import { mmuOpDone } from "../mm/invariants";

export const XENMEM_increase_reservation: u32 = 0;
export const XENMEM_decrease_reservation: u32 = 1;
export const XENMEM_maximum_ram_page: u32 = 2;
export const XENMEM_current_reservation: u32 = 3;
export const XENMEM_maximum_reservation: u32 = 4;
export const XENMEM_machphys_mfn_list: u32 = 5;
export const XENMEM_populate_physmap: u32 = 6;
export const XENMEM_add_to_physmap: u32 = 7;
export const XENMEM_memory_map: u32 = 9;
export const XENMEM_machine_memory_map: u32 = 10;
export const XENMEM_exchange: u32 = 11;
export const XENMEM_machphys_mapping: u32 = 12;
export const XENMEM_maximum_gpfn: u32 = 14;

export const MEMOP_EXTENT_SHIFT: u64 = 6;
export const MEMOP_CMD_MASK: u64 = 0x3f;
// The most extents whose count still fits a continued cmd (UINT_MAX >> MEMOP_EXTENT_SHIFT).
const MAX_NR_EXTENTS: u64 = 0x3ffffff;

export const XENMEMF_populate_on_demand: u32 = 1 << 16;
const XENMAPSPACE_gmfn_foreign: u32 = 4;
const E820_RAM: u32 = 1;

// domu_max_order (CONFIG_DOMU_MAX_ORDER): the largest extent a domU may name.
export const MAX_ORDER: u32 = 9;
// Pages handled per invocation before the call is continued (Xen preempts when other work is
// pending; a fixed amount keeps runs deterministic).
export const MEMOP_BATCH_PAGES: u32 = 1024;
// The M2P's 2 MiB chunks are hypervisor memory outside the frame pool; machphys_mfn_list
// numbers them after the last RAM frame, where no domain can map anything.
const M2P_CHUNK_FRAMES: u64 = 512;

// xen_memory_reservation, read into the scratch area.
const RES: u32 = HV_SCRATCH;
const RES_extent_start: u32 = 0;
const RES_nr_extents: u32 = 8;
const RES_extent_order: u32 = 16;
const RES_mem_flags: u32 = 20;
const RES_domid: u32 = 24;

// rcu_lock_domain_by_any_id: DOMID_SELF or the id of an existing domain (the caller's own id
// included); -1 for anything else (DOMID_XEN and the other reserved ids are no domains).
export function domainByAnyId(domid: u32): i32 {
  if (domid == DOMID_SELF) return <i32>curDom;
  return domValid(domid) ? <i32>domid : -1;
}

// guest_handle_subrange_okay: elements first..last of a u64 array at list lie in guest space
// (last = first - 1 names no element, which is always fine).
export function subrangeOk(list: u64, first: u64, last: u64): bool {
  const count = last - first + 1;
  if (count == 0) return true;
  if (first > (<u64>-1 >> 3) || count > (<u64>-1 >> 3)) return false;
  const lo = list + (first << 3);
  const hi = lo + (count << 3) - 1;
  if (lo < list || hi < lo) return false;
  if (!addrOk(lo) || !addrOk(hi)) return false;
  // Both ends guest addresses, and no hypervisor range in between.
  return !(lo < (<u64>1 << 47) && hi >= (<u64>1 << 47));
}

// construct_memop_from_reservation's address_bits: the frame limit (0 = none), or -1 when the
// width is too small to hold any page.
export function addressLimit(memFlags: u32): i64 {
  const bits = memFlags & 0xff;
  if (bits == 0) return 0;
  // get_order_from_pages(max_page) + PAGE_SHIFT: wider than RAM means no limit.
  let order: u32 = 0;
  while ((<u64>1 << order) < <u64>nrFrames) order++;
  if (bits >= order + 12) return 0;
  if (bits <= 12) return -1;
  return <i64>(<u64>1 << (bits - 12));
}

export function do_memory_op(cmd: u64, arg: u64): i64 {
  const op = <u32>(cmd & MEMOP_CMD_MASK);
  const start = cmd >> MEMOP_EXTENT_SHIFT;
  switch (op) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap: {
      const rc = reservation(op, start, arg);
      mmuOpDone();
      return rc;
    }
    case XENMEM_exchange: {
      if (start != 0) return -EINVAL;
      const rc = memoryExchange(arg);
      mmuOpDone();
      return rc;
    }
    case XENMEM_maximum_ram_page:
      if (start != 0) return -EINVAL;
      return <i64>nrFrames;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
      if (start != 0) return -EINVAL;
      return reservationInfo(op, arg);
    case XENMEM_add_to_physmap:
      return addToPhysmap(start, arg);
    case XENMEM_machphys_mfn_list:
      return machphysMfnList(arg);
    case XENMEM_machphys_mapping:
      return machphysMapping(arg);
    case XENMEM_memory_map:
      return memoryMap(arg);
    case XENMEM_machine_memory_map:
      // The host's map is for the privileged domain only.
      return -EPERM;
    default:
      return -ENOSYS;
  }
}

// ---- increase / decrease / populate ----

function reservation(op: u32, start: u64, arg: u64): i64 {
  if (!addrOk(arg) || !copyFromGuest(RES, arg, 32)) return <i64>start;
  const list = load<u64>(RES + RES_extent_start);
  const nr = load<u64>(RES + RES_nr_extents);
  const order = load<u32>(RES + RES_extent_order);
  const flags = load<u32>(RES + RES_mem_flags);
  const domid = <u32>load<u16>(RES + RES_domid);
  // Too large to encode a continuation, or nothing left to do.
  if (nr > MAX_NR_EXTENTS) return <i64>start;
  if (start >= nr) return <i64>start;
  const target = domainByAnyId(domid);
  if (target < 0) return <i64>start;
  const d = <u32>target;
  const limit = addressLimit(flags);
  if (limit < 0) return <i64>start;
  if (!xsmTarget(d)) return <i64>start;

  let done: u64 = start;
  let preempted = false;
  if (op == XENMEM_increase_reservation) {
    if ((list != 0 && !subrangeOk(list, start, nr - 1)) || order > MAX_ORDER) return <i64>start;
    let work: u32 = 0;
    for (; done < nr; done++) {
      if (done != start && work >= MEMOP_BATCH_PAGES) {
        preempted = true;
        break;
      }
      const mfn = domAllocExtent(d, order, <u64>limit);
      if (mfn < 0) break;
      work += 1 << order;
      // The domain learns the frame's machine address (a NULL list: it does not).
      if (list != 0 && !putGuestU64(list + (done << 3), <u64>mfn)) break;
    }
  } else if (op == XENMEM_decrease_reservation) {
    if (!subrangeOk(list, start, nr - 1) || order > MAX_ORDER) return <i64>start;
    let work: u32 = 0;
    for (; done < nr; done++) {
      if (done != start && work >= MEMOP_BATCH_PAGES) {
        preempted = true;
        break;
      }
      const gmfn = getGuestU64(list + (done << 3));
      if (!guestOk) break;
      let ok = true;
      for (let j: u64 = 0; j < (<u64>1 << order); j++) {
        if (removePage(d, gmfn + j) != 0) {
          ok = false;
          break;
        }
      }
      if (!ok) break;
      work += 1 << order;
    }
  } else {
    if (!subrangeOk(list, start, nr - 1) || order > MAX_ORDER) return <i64>start;
    // Populate-on-demand is for translated guests; asked for itself, it is refused.
    if ((flags & XENMEMF_populate_on_demand) != 0) return <i64>start;
    let work: u32 = 0;
    for (; done < nr; done++) {
      if (done != start && work >= MEMOP_BATCH_PAGES) {
        preempted = true;
        break;
      }
      const gpfn = getGuestU64(list + (done << 3));
      if (!guestOk) break;
      const mfn = domAllocExtent(d, order, <u64>limit);
      if (mfn < 0) break;
      work += 1 << order;
      for (let j: u64 = 0; j < (<u64>1 << order); j++) m2pSet(<u64>mfn + j, gpfn + j);
      if (!putGuestU64(list + (done << 3), <u64>mfn)) break;
    }
  }
  if (preempted) {
    setArg1(<u64>op | (done << MEMOP_EXTENT_SHIFT));
    createContinuation();
  }
  return <i64>done;
}


// guest_remove_page for a PV domain (gmfn is a machine frame): a pin is dropped, the allocation
// taken away, and the frame freed now if nothing else holds it, else when its last holder lets
// go. 0, or -EINVAL when the frame is not d's to give back.
export function removePage(d: u32, mfn: u64): i64 {
  if (!mfnValid(mfn) || !getPage(mfn, d)) return -EINVAL;
  if (hypervisorUses(mfn, d)) {
    putPage(mfn);
    return -EINVAL;
  }
  if ((typeInfo(mfn) & PGT_pinned) != 0) unpinTable(mfn, d);
  clearAllocated(mfn);
  putPage(mfn);
  releaseIfUnused(mfn);
  return 0;
}

// ---- what a kernel asks about memory ----

function reservationInfo(op: u32, arg: u64): i64 {
  if (!addrOk(arg) || !copyFromGuest(RES, arg, 2)) return -EFAULT;
  const target = domainByAnyId(<u32>load<u16>(RES));
  if (target < 0) return -ESRCH;
  const d = <u32>target;
  if (!xsmTarget(d)) return -EPERM;
  const p = dom(d);
  if (op == XENMEM_current_reservation) return <i64>load<u32>(p + DOM_TOT_PAGES);
  if (op == XENMEM_maximum_reservation) return <i64>load<u32>(p + DOM_MAX_PAGES);
  // maximum_gpfn: PV guests publish nr_pfns in shared_info.arch.max_pfn.
  const maxPfn = load<u64>(frameAddr(<u64>load<u32>(p + DOM_SHARED_INFO)) + SH_arch_max_pfn);
  return <i64>((maxPfn != 0 ? maxPfn : 1) - 1);
}

// add_to_physmap is for translated guests: a PV domain gets -EACCES once the request is sane.
function addToPhysmap(start: u64, arg: u64): i64 {
  if (start > 0xffff) return -EDOM;
  if (!addrOk(arg) || !copyFromGuest(RES, arg, 24)) return -EFAULT;
  if (load<u32>(RES + 4) == XENMAPSPACE_gmfn_foreign) return -ENOSYS;
  const target = domainByAnyId(<u32>load<u16>(RES));
  if (target < 0) return -ESRCH;
  if (!xsmTarget(<u32>target)) return -EPERM;
  return -EACCES;
}

// {u32 max_extents; u64 *extent_start; OUT u32 nr_extents}: one MFN per 2 MiB of M2P.
function machphysMfnList(arg: u64): i64 {
  if (!addrOk(arg) || !copyFromGuest(RES, arg, 24)) return -EFAULT;
  const max = load<u32>(RES);
  const list = load<u64>(RES + 8);
  const chunks = (<u64>nrFrames * 8 + (M2P_CHUNK_FRAMES << 12) - 1) / (M2P_CHUNK_FRAMES << 12);
  const first = (<u64>nrFrames + M2P_CHUNK_FRAMES - 1) & ~(M2P_CHUNK_FRAMES - 1);
  let i: u32 = 0;
  for (; i != max && <u64>i < chunks; i++) {
    const at = list + (<u64>i << 3);
    if (!addrOk(at) || !putGuestU64(at, first + <u64>i * M2P_CHUNK_FRAMES)) return -EFAULT;
  }
  store<u32>(RES + 16, i);
  if (!copyToGuest(arg, RES, 24)) return -EFAULT;
  return 0;
}

// {v_start, v_end, max_mfn} of the read-only M2P.
function machphysMapping(arg: u64): i64 {
  const b = RES;
  store<u64>(b, MACH2PHYS_VIRT_START);
  store<u64>(b + 8, MACH2PHYS_VIRT_END);
  store<u64>(b + 16, ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 3) - 1);
  if (!addrOk(arg) || !copyToGuest(arg, b, 24)) return -EFAULT;
  return 0;
}

// {u32 nr_entries; e820entry *buffer}: the toolstack gives a PV domU one RAM entry covering
// its maximum memory (libxl's memmap limit).
function memoryMap(arg: u64): i64 {
  if (!addrOk(arg) || !copyFromGuest(RES, arg, 16)) return -EFAULT;
  const n = min<u32>(load<u32>(RES), 1);
  const buf = load<u64>(RES + 8);
  const e = RES + 32;
  if (n > 0) {
    store<u64>(e, 0);
    store<u64>(e + 8, <u64>load<u32>(dom(curDom) + DOM_MAX_PAGES) << 12);
    store<u32>(e + 16, E820_RAM);
    if (!addrOk(buf) || !addrOk(buf + 19) || !copyToGuest(buf, e, 20)) return -EFAULT;
  }
  store<u32>(RES, n);
  if (!copyToGuest(arg, RES, 16)) return -EFAULT;
  return 0;
}
