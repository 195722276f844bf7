// The MMU invariant checker (for tests): every frame's general count, type count and linear
// count must equal what is recomputed from the references that exist — the entries of every
// validated table, every pin, every vCPU base pointer — and every validated table must obey the
// validation rules. It runs on demand (checkInvariants) or after every MMU hypercall once
// enabled (setMmuChecks), aborting the core on a violation.
//
// No scratch memory: the recomputed references are subtracted from the frame table, every
// count must then be zero, and the same walk adds them back. Which references exist is decided
// only from things the subtraction does not touch (types, validated and pinned flags, entries,
// base pointers), so both walks see the same set.
//
// References the hypervisor itself keeps (holdPage, shared_info, vcpu_info, GDT frames) are
// listed in otherHolders(); a new kind of holder must use holdPage or be added there, or its
// frames will be reported.
import { grantRefs } from "../grant/refs";
import { CR3, MAX_DOMAINS, MESSAGE_BUF } from "../layout";
import { nrFrames, ftEntry, frameAddr, FT_COUNT, FT_OWNER, FT_TYPE, OWNER_FREE } from "./frames";
import {
  dom, domValid, vcpuCtl, curVcpu, msgClear, msg, msgHex, msgLength,
  DOM_NR_VCPUS, DOM_VCPU0, VC_KERNEL_CR3, VC_USER_CR3, VC_FLAGS, VCF_IN_KERNEL, VC_DOMID,
  DOM_STATE, DS_BUILDING, DOM_SHARED_INFO, VC_VI_MFN,
} from "../domain/domain";
import {
  PGT_count_mask, PGT_linear_mask, PGT_LINEAR_SHIFT, PGT_holds_mask, PGT_HOLDS_SHIFT, PGT_TYPE_SHIFT,
  PGT_validated, PGT_pinned,
  PGT_none, PGT_l1_page_table, PGT_l4_page_table, PGT_writable_page, PGT_seg_desc_page,
  L1_DISALLOW_MASK, LN_DISALLOW_MASK, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER,
  isPageTableType, isGuestL4Slot, pteMfn, linearCount,
} from "./validate";
import { gdtFrameCount, gdtFrame } from "./gdt";

let violations: u32 = 0;
let checksOn: bool = false;

export function setMmuChecks(on: bool): void {
  checksOn = on;
}

// Called at the end of every MMU hypercall (and ptwr emulation, `mov %cr3`).
export function mmuOpDone(): void {
  if (!checksOn) return;
  if (checkAll(true) != 0) {
    abort(String.UTF8.decodeUnsafe(MESSAGE_BUF, msgLength()));
  }
}

// Number of violations (0: consistent); the first one is described in the message buffer.
export function checkInvariants(): u32 {
  return checkAll(false);
}

function fail(what: string, mfn: u64, value: u64): void {
  if (violations == 0) {
    msgClear();
    msg("MMU invariant: ");
    msg(what);
    msg(" mfn ");
    msgHex(mfn);
    msg(" value ");
    msgHex(value);
  }
  violations++;
}

function checkAll(inHypercall: bool): u32 {
  violations = 0;
  checkFrames();
  walkRefs(-1, true);
  checkZero();
  walkRefs(1, false);
  if (inHypercall) checkLoadedCr3();
  return violations;
}

// ---- per-frame rules that need no recomputation ----
function checkFrames(): void {
  for (let m: u64 = 0; m < <u64>nrFrames; m++) {
    const e = ftEntry(m);
    const t = load<u64>(e + FT_TYPE);
    const type = t >> PGT_TYPE_SHIFT;
    const cnt = t & PGT_count_mask;
    if (<u32>load<u16>(e + FT_OWNER) == OWNER_FREE) {
      if (load<u32>(e + FT_COUNT) != 0 || t != 0) fail("free frame with references or a type", m, t);
      continue;
    }
    if (isPageTableType(type)) {
      if ((cnt != 0) != ((t & PGT_validated) != 0)) fail("table validated iff in use broken", m, t);
      if (cnt == 0 && (t & PGT_linear_mask) != 0) fail("unused table with linear count", m, t);
    } else if (type == PGT_none && cnt != 0) {
      fail("type count on an untyped frame", m, t);
    }
    if ((t & PGT_pinned) != 0 && (!isPageTableType(type) || cnt == 0)) fail("pinned frame is not a live table", m, t);
  }
}

// ---- applying one reference (delta -1: subtract, +1: restore) ----
function general(m: u64, delta: i32): void {
  const e = ftEntry(m) + FT_COUNT;
  store<u32>(e, load<u32>(e) + <u32>delta);
}

function typeRef(m: u64, delta: i32): void {
  const e = ftEntry(m) + FT_TYPE;
  const t = load<u64>(e);
  store<u64>(e, (t & ~PGT_count_mask) | ((t + <u64><i64>delta) & PGT_count_mask));
}

function linearRef(m: u64, delta: i32): void {
  const e = ftEntry(m) + FT_TYPE;
  const t = load<u64>(e);
  const lc = linearCount(t) + delta;
  store<u64>(e, (t & ~PGT_linear_mask) | (<u64>(<u16>lc) << PGT_LINEAR_SHIFT));
}

@inline function ownerOf(m: u64): u32 {
  return <u32>load<u16>(ftEntry(m) + FT_OWNER);
}

@inline function typeOf(m: u64): u64 {
  return load<u64>(ftEntry(m) + FT_TYPE) >> PGT_TYPE_SHIFT;
}

@inline function validated(m: u64): bool {
  return (load<u64>(ftEntry(m) + FT_TYPE) & PGT_validated) != 0;
}

function walkRefs(delta: i32, check: bool): void {
  for (let m: u64 = 0; m < <u64>nrFrames; m++) {
    if (ownerOf(m) == OWNER_FREE) continue;
    const t = load<u64>(ftEntry(m) + FT_TYPE);
    const type = t >> PGT_TYPE_SHIFT;
    if ((t & PGT_pinned) != 0) {
      general(m, delta);
      typeRef(m, delta);
    }
    if (!isPageTableType(type) || (t & PGT_validated) == 0) continue;
    if (type == PGT_l1_page_table) l1Refs(m, delta, check);
    else lnRefs(m, type, delta, check);
  }
  baseRefs(delta, check);
  otherHolders(delta, check);
}

function l1Refs(m: u64, delta: i32, check: bool): void {
  const base = frameAddr(m);
  for (let i: u32 = 0; i < 512; i++) {
    const e = load<u64>(base + (i << 3));
    if ((e & _PAGE_PRESENT) == 0) continue;
    const target = pteMfn(e);
    if (check) {
      if ((e & L1_DISALLOW_MASK) != 0) fail("L1 entry with disallowed flags", m, e);
      if ((e & _PAGE_USER) == 0) fail("L1 entry not adjusted (no US)", m, e);
    }
    if (target >= <u64>nrFrames || ownerOf(target) == OWNER_FREE) {
      if (check) fail("L1 entry maps no domain frame", m, e);
      continue;
    }
    general(target, delta);
    if ((e & _PAGE_RW) != 0) {
      if (check && typeOf(target) != PGT_writable_page) fail("writable mapping of a non-writable frame", target, e);
      typeRef(target, delta);
    }
  }
}

function lnRefs(m: u64, level: u64, delta: i32, check: bool): void {
  const base = frameAddr(m);
  const d = ownerOf(m);
  for (let i: u32 = 0; i < 512; i++) {
    const e = load<u64>(base + (i << 3));
    if (level == PGT_l4_page_table && !isGuestL4Slot(i)) {
      if (check && e != 0) fail("guest entry in a hypervisor L4 slot", m, e);
      continue;
    }
    if ((e & _PAGE_PRESENT) == 0) continue;
    const target = pteMfn(e);
    if (check) {
      if ((e & LN_DISALLOW_MASK) != 0) fail("table entry with disallowed flags", m, e);
      if ((e & _PAGE_USER) == 0) fail("table entry not adjusted (no US)", m, e);
    }
    if (target == m) {
      if (check && (e & _PAGE_RW) != 0) fail("writable self-map", m, e);
      continue;
    }
    if (target >= <u64>nrFrames || ownerOf(target) != d) {
      if (check) fail("table entry points outside the domain", m, e);
      continue;
    }
    const tt = typeOf(target);
    if (tt == level) {
      // Linear entry: read-only, to a validated table of the same level.
      if (check && ((e & _PAGE_RW) != 0 || !validated(target))) fail("bad linear entry", m, e);
      linearRef(m, delta);
      linearRef(target, -delta);
    } else if (check && (tt != level - 1 || !validated(target))) {
      fail("entry points at a frame that is not a validated lower table", m, e);
    }
    general(target, delta);
    typeRef(target, delta);
  }
}

// Kernel and user base pointers of every vCPU of every domain.
function baseRefs(delta: i32, check: bool): void {
  for (let d: u32 = 0; d < MAX_DOMAINS; d++) {
    if (!domValid(d)) continue;
    const v0 = load<u32>(dom(d) + DOM_VCPU0);
    const n = load<u32>(dom(d) + DOM_NR_VCPUS);
    for (let v = v0; v < v0 + n; v++) {
      const c = vcpuCtl(v);
      for (let k = 0; k < 2; k++) {
        const m = load<u64>(c + (k == 0 ? VC_KERNEL_CR3 : VC_USER_CR3)) >> 12;
        if (m == 0) continue;
        if (m >= <u64>nrFrames) {
          if (check) fail("base pointer beyond memory", m, <u64>v);
          continue;
        }
        if (check && (typeOf(m) != PGT_l4_page_table || !validated(m) || ownerOf(m) != load<u32>(c + VC_DOMID))) {
          fail("base pointer is not a validated L4 of its domain", m, <u64>v);
        }
        general(m, delta);
        typeRef(m, delta);
      }
    }
  }
}

// References held by other subsystems, each a general and a type reference: holds taken with
// holdPage (counted in the frame), each domain's shared_info once the domain is set up
// (sched/setup.ts), each registered vcpu_info frame (hypercalls/vcpu_op.ts) and each vCPU's
// GDT frames (set_gdt, mm/gdt.ts).
function otherHolders(delta: i32, check: bool): void {
  // Grant tables: the reference the hypervisor keeps on shared and status frames, and device
  // mappings (grant/refs.ts).
  grantRefs(delta);
  for (let m: u64 = 0; m < <u64>nrFrames; m++) {
    const h = <i32>((load<u64>(ftEntry(m) + FT_TYPE) & PGT_holds_mask) >> PGT_HOLDS_SHIFT);
    if (h == 0) continue;
    general(m, delta * h);
    typeRef(m, delta * h);
  }
  for (let d: u32 = 0; d < MAX_DOMAINS; d++) {
    if (!domValid(d)) continue;
    if (load<u32>(dom(d) + DOM_STATE) != DS_BUILDING) {
      const si = <u64>load<u32>(dom(d) + DOM_SHARED_INFO);
      if (si < <u64>nrFrames && ownerOf(si) == d) {
        if (check && typeOf(si) != PGT_writable_page) fail("shared_info is not a writable page", si, <u64>d);
        general(si, delta);
        typeRef(si, delta);
      } else if (check) {
        fail("shared_info is not the domain's frame", si, <u64>d);
      }
    }
    const v0 = load<u32>(dom(d) + DOM_VCPU0);
    const n = load<u32>(dom(d) + DOM_NR_VCPUS);
    for (let v = v0; v < v0 + n; v++) {
      const vi = load<u64>(vcpuCtl(v) + VC_VI_MFN);
      if (vi != 0) {
        const m = vi - 1;
        if (m < <u64>nrFrames) {
          if (check && typeOf(m) != PGT_writable_page) fail("vcpu_info frame is not a writable page", m, <u64>v);
          general(m, delta);
          typeRef(m, delta);
        }
      }
      const frames = gdtFrameCount(v);
      for (let k: u32 = 0; k < frames; k++) {
        const m = gdtFrame(v, k);
        if (m >= <u64>nrFrames) {
          if (check) fail("GDT frame beyond memory", m, <u64>v);
          continue;
        }
        if (check && (typeOf(m) != PGT_seg_desc_page || !validated(m) || ownerOf(m) != d)) {
          fail("GDT frame is not a validated descriptor page of its domain", m, <u64>v);
        }
        general(m, delta);
        typeRef(m, delta);
      }
    }
  }
}

function checkZero(): void {
  for (let m: u64 = 0; m < <u64>nrFrames; m++) {
    const e = ftEntry(m);
    const c = load<u32>(e + FT_COUNT);
    const t = load<u64>(e + FT_TYPE);
    if (c != 0) fail("general count differs from references by", m, <u64>c);
    if ((t & PGT_count_mask) != 0) fail("type count differs from references by", m, t & PGT_count_mask);
    if ((t & PGT_linear_mask) != 0) fail("linear count differs from linear entries by", m, <u64>(<u32>linearCount(t)));
  }
}

// The running vCPU uses the base pointer of its mode.
function checkLoadedCr3(): void {
  const c = vcpuCtl(curVcpu);
  const k = (load<u32>(c + VC_FLAGS) & VCF_IN_KERNEL) != 0;
  const want = load<u64>(c + (k ? VC_KERNEL_CR3 : VC_USER_CR3));
  if (load<u64>(CR3) != want) fail("CR3 is not the base pointer of the current mode", load<u64>(CR3) >> 12, want);
}
