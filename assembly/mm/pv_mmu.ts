// The PV MMU operations on live tables (xen/arch/x86/mm.c): changing one entry of a validated
// table (mod_l*_entry), loading a base pointer (new_guest_cr3, NEW_USER_BASEPTR), pinning,
// and locating the L1 entry that maps a virtual address. The hypercalls and the CPU's
// `mov %cr3` come through here; reference rules live in validate.ts.
import { CR3, MAX_VCPUS, CPU } from "../layout";
import { PTE_PSE, tlbFlushAll } from "../cpu/mem";
import { mmuFlushAll } from "./flush";
import { frameAddr, nrFrames, ftEntry, FT_TYPE, poolBase } from "./frames";
import { codeWritten } from "../cpu/dcache";
import { mmuOpDone } from "./invariants";
import {
  curDom, vc, vcpuSave, vcpuCtl, vcpuReload, VC_KERNEL_CR3, VC_USER_CR3, VC_DOMID, VC_FLAGS, VCF_IN_KERNEL,
} from "../domain/domain";
import { EINVAL, HYPERVISOR_VIRT_END } from "../abi/xen";
import {
  getPage, putPage, getPageType, putPageAndType, getPageAndType, getPageFromL1e, putPageFromL1e,
  getPageFromLne, putPageFromLne, adjustL1e, adjustLne, entryChanged, pteMfn, pageType, typeInUse, isGuestL4Slot,
  L1_DISALLOW_MASK, LN_DISALLOW_MASK, PGT_pinned, PGT_l1_page_table, PGT_l4_page_table,
  _PAGE_PRESENT, _PAGE_ACCESSED, _PAGE_DIRTY,
} from "./validate";

// __addr_ok: guest addresses Xen accepts as hypercall arguments (lower half, or above the
// hypervisor's range).
export function addrOk(va: u64): bool {
  return va < (<u64>1 << 47) || va >= HYPERVISOR_VIRT_END;
}

// UPDATE_ENTRY: MMU_PT_UPDATE_PRESERVE_AD keeps the A/D bits the CPU set in the old entry.
// A present entry that changes may be in the software TLB, which is dropped so that no stale
// translation outlives the references the entry held. Xen does not flush here (the guest asks
// for the flushes it needs), so neither is this charged as one.
function writeEntry(p: u32, o: u64, n: u64, preserveAd: bool): void {
  if (preserveAd) n |= o & (_PAGE_ACCESSED | _PAGE_DIRTY);
  store<u64>(p, n);
  codeWritten((p - poolBase) >> 12);
  if ((o & _PAGE_PRESENT) != 0 && o != n) tlbFlushAll();
}

// mod_l1_entry: p is the host address of the entry in L1 table gl1mfn of domain ptDom; pgDom
// owns the frames the new entry may map. 0 or -errno; the entry is unchanged on failure.
export function modL1Entry(p: u32, n: u64, gl1mfn: u64, preserveAd: bool, ptDom: u32, pgDom: u32): i64 {
  const o = load<u64>(p);
  if ((n & _PAGE_PRESENT) != 0) {
    if ((n & L1_DISALLOW_MASK) != 0) return -EINVAL;
    if (!entryChanged(o, n)) {
      // Same frame and access rights: the references held by the old entry carry over.
      writeEntry(p, o, adjustL1e(n), preserveAd);
      return 0;
    }
    const rc = getPageFromL1e(n, ptDom, pgDom);
    if (rc != 0) return rc;
    writeEntry(p, o, adjustL1e(n), preserveAd);
  } else {
    writeEntry(p, o, n, preserveAd);
  }
  putPageFromL1e(o);
  return 0;
}

// mod_l{2,3,4}_entry for entry p of table mfn (level 2..4) of domain d.
export function modLnEntry(p: u32, n: u64, mfn: u64, level: u64, preserveAd: bool, d: u32): i64 {
  if (level == PGT_l4_page_table && !isGuestL4Slot(((p - poolBase) & 0xfff) >> 3)) return -EINVAL;
  const o = load<u64>(p);
  if ((n & _PAGE_PRESENT) != 0) {
    if ((n & LN_DISALLOW_MASK) != 0) return -EINVAL;
    if (!entryChanged(o, n)) {
      writeEntry(p, o, adjustLne(n, level), preserveAd);
      return 0;
    }
    const rc = getPageFromLne(n, mfn, d, level);
    if (rc != 0) return rc;
    writeEntry(p, o, adjustLne(n, level), preserveAd);
  } else {
    writeEntry(p, o, n, preserveAd);
  }
  putPageFromLne(o, mfn);
  return 0;
}

// ---- base pointers ----

// new_guest_cr3 for the running vCPU (MMUEXT_NEW_BASEPTR, emulated `mov %cr3`): the frame must
// be the caller's and validate as an L4; the old base loses the reference it held.
export function newGuestCr3(mfn: u64): i64 {
  const c = vc();
  const old = load<u64>(c + VC_KERNEL_CR3) >> 12;
  if (old == mfn) {
    loadKernelCr3(c, mfn);
    return 0;
  }
  const rc = getPageAndType(mfn, curDom, PGT_l4_page_table);
  if (rc != 0) return rc;
  loadKernelCr3(c, mfn);
  if (old != 0) putPageAndType(old);
  return 0;
}

function loadKernelCr3(c: u32, mfn: u64): void {
  store<u64>(c + VC_KERNEL_CR3, mfn << 12);
  if ((load<u32>(c + VC_FLAGS) & VCF_IN_KERNEL) != 0) store<u64>(CR3, mfn << 12);
  mmuFlushAll();
}

// `mov %cr3, reg` from the guest kernel: false makes the CPU raise #GP.
export function newBaseptr(mfn: u64): bool {
  if (mfn >= <u64>nrFrames) return false;
  const ok = newGuestCr3(mfn) == 0;
  mmuOpDone();
  return ok;
}

// MMUEXT_NEW_USER_BASEPTR: the L4 used while the guest runs in user mode (0: none).
export function newUserBaseptr(mfn: u64): i64 {
  const c = vc();
  const old = load<u64>(c + VC_USER_CR3) >> 12;
  if (old == mfn) return 0;
  if (mfn != 0) {
    const rc = getPageAndType(mfn, curDom, PGT_l4_page_table);
    if (rc != 0) return rc;
  }
  store<u64>(c + VC_USER_CR3, mfn << 12);
  if (old != 0) putPageAndType(old);
  return 0;
}

// The domain builder's initial kernel base pointer for global vCPU v (arch_set_info_guest):
// the vCPU holds a type reference on its L4 like any base pointer. 0 or -errno.
export function installBaseptr(v: u32, mfn: u64): i64 {
  const ctl = vcpuCtl(v);
  const d = load<u32>(ctl + VC_DOMID);
  const old = load<u64>(ctl + VC_KERNEL_CR3) >> 12;
  const rc = getPageAndType(mfn, d, PGT_l4_page_table);
  if (rc != 0) return rc;
  store<u64>(vcpuSave(v) + (CR3 - CPU), mfn << 12);
  store<u64>(ctl + VC_KERNEL_CR3, mfn << 12);
  if (old != 0) putPageAndType(old);
  vcpuReload(v);
  return 0;
}

// ---- pinning ----

// MMUEXT_PIN_L{1,2,3,4}_TABLE: a type reference that keeps the table validated while nothing
// else uses it. Pinning is not nested.
export function pinTable(mfn: u64, type: u64, d: u32): i64 {
  if (!getPage(mfn, d)) return -EINVAL;
  const rc = getPageType(mfn, type);
  if (rc != 0) {
    putPage(mfn);
    return rc;
  }
  const e = ftEntry(mfn) + FT_TYPE;
  const t = load<u64>(e);
  if ((t & PGT_pinned) != 0) {
    putPageAndType(mfn);
    return -EINVAL;
  }
  store<u64>(e, t | PGT_pinned);
  return 0;
}

// MMUEXT_UNPIN_TABLE: drops the pin's references (the table may stay in use elsewhere).
export function unpinTable(mfn: u64, d: u32): i64 {
  if (!getPage(mfn, d)) return -EINVAL;
  if ((load<u64>(ftEntry(mfn) + FT_TYPE) & PGT_pinned) == 0) {
    putPage(mfn);
    return -EINVAL;
  }
  dropPin(mfn);
  putPage(mfn);
  return 0;
}

// The pin goes with the type and general references it held (the table may stay in use).
export function dropPin(mfn: u64): void {
  const e = ftEntry(mfn) + FT_TYPE;
  store<u64>(e, load<u64>(e) & ~PGT_pinned);
  putPageAndType(mfn);
}

// ---- finding the L1 entry for a virtual address (map_guest_l1e) ----

export let mappedL1Mfn: u64 = 0;

// Host address of the L1 entry that maps va in the running vCPU's kernel tables, or 0 when an
// upper level is not present (or va is not a guest address). Sets mappedL1Mfn.
export function mapGuestL1e(va: u64): u32 {
  if (!addrOk(va)) return 0;
  let table = load<u64>(vc() + VC_KERNEL_CR3) >> 12;
  for (let level: u32 = 4; level >= 2; level--) {
    if (table >= <u64>nrFrames) return 0;
    const idx = <u32>(va >> (12 + 9 * (<u64>level - 1))) & 511;
    const e = load<u64>(frameAddr(table) + (idx << 3));
    if ((e & _PAGE_PRESENT) == 0) return 0;
    if (level == 2 && (e & PTE_PSE) != 0) return 0;
    table = pteMfn(e);
  }
  if (table >= <u64>nrFrames) return 0;
  mappedL1Mfn = table;
  return frameAddr(table) + ((<u32>(va >> 12) & 511) << 3);
}

// Is mfn a validated L1 of domain d that somebody uses (get_page + page_lock + type check)?
export function isLiveL1(mfn: u64, d: u32): bool {
  if (!getPage(mfn, d)) return false;
  putPage(mfn);
  return pageType(mfn) == PGT_l1_page_table && typeInUse(mfn);
}

// ---- the LDT a vCPU declared with MMUEXT_SET_LDT (base, entries); kept for the CPU ----
const LDT_INFO: u32 = <u32>memory.data(MAX_VCPUS * 16, 8);

export function setLdt(v: u32, base: u64, ents: u32): void {
  store<u64>(LDT_INFO + v * 16, base);
  store<u32>(LDT_INFO + v * 16 + 8, ents);
}

export function ldtBase(v: u32): u64 {
  return load<u64>(LDT_INFO + v * 16);
}

export function ldtEntries(v: u32): u32 {
  return load<u32>(LDT_INFO + v * 16 + 8);
}
