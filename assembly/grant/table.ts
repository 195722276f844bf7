// A domain's grant table (xen/common/grant_table.c): the shared frames the domain writes its
// grant entries into, v2's status frames, the active entries Xen keeps per grant (pin counts,
// the pinned frame) and the maptrack (the domain's own record of each grant it has mapped,
// named by a handle). Shared and status frames belong to the domain, which maps them itself;
// the hypervisor keeps one general reference on each (Xen's xenheap ownership), so the domain
// can never free a frame the table still uses. Active and maptrack frames are the
// hypervisor's own (owner DOMID_XEN): no domain can map them.
//
// Record 0 is the host's (dom0): its maptrack holds the host backends' mappings.
import { GNT_TABLE, GNT_STRIDE, MAX_DOMAINS } from "../layout";
import { allocFrame, freeFrame, frameAddr, ftEntry, FT_COUNT, FT_FLAGS, FTF_ALLOCATED } from "../mm/frames";
import { getPage, putPage } from "../mm/validate";
import { DOMID_XEN } from "../abi/xen";
import { codeWritten } from "../cpu/dcache";

// ---- record fields ----
const G_INITED: u32 = 0;
const G_VERSION: u32 = 4;
const G_NR_FRAMES: u32 = 8;
const G_MAX_FRAMES: u32 = 12; // 0: the default
const G_MAX_MAPTRACK: u32 = 16; // 0: the default
const G_NR_MAPTRACK: u32 = 20; // maptrack frames allocated
const G_MT_HEAD: u32 = 24; // free list of maptrack handles (MT_NONE: empty)
const G_MT_TAIL: u32 = 28;
const G_NR_STATUS: u32 = 32;
const G_MT_DIR: u32 = 36; // frame holding the MFNs of the maptrack frames (0 = none; MFN + 1)
const G_LIMITS_SET: u32 = 40;
const G_SHARED: u32 = 0x40; // u32[64] MFNs of the shared frames
const G_STATUS: u32 = 0x140; // u32[8] MFNs of the v2 status frames
const G_ACTIVE: u32 = 0x160; // u32[128] MFNs of the active-entry frames

// Xen's defaults (opt_max_grant_frames, opt_max_maptrack_frames), also the hard ceilings here.
export const MAX_GRANT_FRAMES: u32 = 64;
export const MAX_MAPTRACK_FRAMES: u32 = 1024;
export const INITIAL_NR_GRANT_FRAMES: u32 = 1;
export const GNTTAB_NR_RESERVED_ENTRIES: u32 = 8;

// ---- GNTST_* ----
export const GNTST_okay: i32 = 0;
export const GNTST_general_error: i32 = -1;
export const GNTST_bad_domain: i32 = -2;
export const GNTST_bad_gntref: i32 = -3;
export const GNTST_bad_handle: i32 = -4;
export const GNTST_bad_virt_addr: i32 = -5;
export const GNTST_bad_dev_addr: i32 = -6;
export const GNTST_no_device_space: i32 = -7;
export const GNTST_permission_denied: i32 = -8;
export const GNTST_bad_page: i32 = -9;
export const GNTST_bad_copy_arg: i32 = -10;
export const GNTST_address_too_big: i32 = -11;
export const GNTST_eagain: i32 = -12;
export const GNTST_no_space: i32 = -13;

// ---- grant entry flags ----
export const GTF_invalid: u32 = 0;
export const GTF_permit_access: u32 = 1;
export const GTF_accept_transfer: u32 = 2;
export const GTF_transitive: u32 = 3;
export const GTF_type_mask: u32 = 3;
export const GTF_readonly: u32 = 1 << 2;
export const GTF_reading: u32 = 1 << 3;
export const GTF_writing: u32 = 1 << 4;
export const GTF_PWT: u32 = 1 << 5;
export const GTF_PCD: u32 = 1 << 6;
export const GTF_PAT: u32 = 1 << 7;
export const GTF_sub_page: u32 = 1 << 8;
export const GTF_transfer_committed: u32 = 1 << 2;
export const GTF_transfer_completed: u32 = 1 << 3;

// ---- GNTMAP_* ----
export const GNTMAP_device_map: u32 = 1;
export const GNTMAP_host_map: u32 = 2;
export const GNTMAP_readonly: u32 = 4;
export const GNTMAP_application_map: u32 = 8;
export const GNTMAP_contains_pte: u32 = 16;

// ---- pin counts of an active entry (GNTPIN_*): four 8-bit counters ----
export const GNTPIN_hstr_inc: u32 = 1;
export const GNTPIN_hstw_inc: u32 = 1 << 8;
export const GNTPIN_devr_inc: u32 = 1 << 16;
export const GNTPIN_devw_inc: u32 = 1 << 24;
export const GNTPIN_hstw_mask: u32 = 0xff << 8;
export const GNTPIN_devw_mask: u32 = 0xff << 24;

// ---- active entry (16 bytes, 256 a frame) ----
export const ACT_PIN: u32 = 0; // u32
export const ACT_DOMID: u32 = 4; // u16 the domain that pinned it
export const ACT_SUB: u32 = 6; // u16 1: a sub-page grant
export const ACT_MFN: u32 = 8; // u32
export const ACT_START: u32 = 12; // u16
export const ACT_LENGTH: u32 = 14; // u16
const ACT_PER_FRAME: u32 = 256;

// ---- maptrack entry (16 bytes, 256 a frame, as Xen's grant_mapping) ----
export const MT_REF: u32 = 0; // u32 grant ref, or the next free handle
export const MT_FLAGS: u32 = 4; // u16 GNTMAP_* still mapped (0: free)
export const MT_DOMID: u32 = 6; // u16 granting domain
export const MAPTRACK_PER_FRAME: u32 = 256;
export const MT_NONE: u32 = 0xffffffff;

@inline export function gt(d: u32): u32 {
  return GNT_TABLE + d * GNT_STRIDE;
}

export function gtVersion(d: u32): u32 {
  return load<u32>(gt(d) + G_VERSION);
}

export function nrGrantFrames(d: u32): u32 {
  return load<u32>(gt(d) + G_NR_FRAMES);
}

export function maxGrantFrames(d: u32): u32 {
  const m = load<u32>(gt(d) + G_MAX_FRAMES);
  return m == 0 ? MAX_GRANT_FRAMES : m;
}

function maxMaptrackFrames(d: u32): u32 {
  return load<u32>(gt(d) + G_LIMITS_SET) != 0 ? load<u32>(gt(d) + G_MAX_MAPTRACK) : MAX_MAPTRACK_FRAMES;
}

export function nrStatusFrames(d: u32): u32 {
  return load<u32>(gt(d) + G_NR_STATUS);
}

export function sharedFrame(d: u32, i: u32): u32 {
  return load<u32>(gt(d) + G_SHARED + (i << 2));
}

export function statusFrame(d: u32, i: u32): u32 {
  return load<u32>(gt(d) + G_STATUS + (i << 2));
}

// Entries the table holds: 512 a frame in v1, 256 in v2.
export function nrEntries(d: u32): u32 {
  return nrGrantFrames(d) * (gtVersion(d) == 1 ? 512 : 256);
}

// Status frames needed for n shared frames of v2 entries (2048 u16 status words a frame).
export function statusFramesFor(n: u32): u32 {
  return (n * 256 + 2047) / 2048;
}

// grant_table_init's limits: max grant frames in 1..64, max maptrack frames in 0..1024.
// Only before the table exists. 0 or -EINVAL (22).
export function setLimits(d: u32, frames: u32, maptrack: u32): i32 {
  if (d >= MAX_DOMAINS || load<u32>(gt(d) + G_INITED) != 0) return -22;
  if (frames < INITIAL_NR_GRANT_FRAMES || frames > MAX_GRANT_FRAMES || maptrack > MAX_MAPTRACK_FRAMES) return -22;
  store<u32>(gt(d) + G_MAX_FRAMES, frames);
  store<u32>(gt(d) + G_MAX_MAPTRACK, maptrack);
  store<u32>(gt(d) + G_LIMITS_SET, 1);
  return 0;
}

// The table of domain d, created with its initial frame the first time it is needed. False
// when no frame is left for it.
export function gtReady(d: u32): bool {
  const g = gt(d);
  if (load<u32>(g + G_INITED) != 0) return true;
  store<u32>(g + G_VERSION, 1);
  store<u32>(g + G_MT_HEAD, MT_NONE);
  store<u32>(g + G_MT_TAIL, MT_NONE);
  // The host grants nothing: its record only keeps the maptrack of its backends.
  if (d != 0 && !growTable(d, INITIAL_NR_GRANT_FRAMES)) return false;
  store<u32>(g + G_INITED, 1);
  return true;
}

// A frame shared with domain d: owned by it, with the hypervisor's own reference.
function allocShared(d: u32): i64 {
  const mfn = allocFrame(d);
  if (mfn < 0) return -1;
  getPage(<u64>mfn, d);
  return mfn;
}

// gnttab_grow_table: active frames, shared frames and (v2) status frames for n shared frames.
export function growTable(d: u32, n: u32): bool {
  const g = gt(d);
  const have = nrGrantFrames(d);
  for (let a = (have * 512 + ACT_PER_FRAME - 1) / ACT_PER_FRAME; a < (n * 512) / ACT_PER_FRAME; a++) {
    if (load<u32>(g + G_ACTIVE + (a << 2)) != 0) continue;
    const m = allocFrame(DOMID_XEN);
    if (m < 0) return false;
    // Bit 31 marks a filled slot (MFN 0 is a valid frame); active frames are never freed.
    store<u32>(g + G_ACTIVE + (a << 2), <u32>m | 0x80000000);
  }
  for (let i = have; i < n; i++) {
    const m = allocShared(d);
    if (m < 0) {
      // Give back what this call took (frames i' in have..i).
      for (let k = have; k < i; k++) releaseShared(sharedFrame(d, k));
      return false;
    }
    store<u32>(g + G_SHARED + (i << 2), <u32>m);
  }
  if (gtVersion(d) == 2 && !populateStatus(d, n)) {
    for (let k = have; k < n; k++) releaseShared(sharedFrame(d, k));
    return false;
  }
  store<u32>(g + G_NR_FRAMES, n);
  return true;
}

function releaseShared(mfn: u32): void {
  putPage(<u64>mfn);
  freeFrame(mfn);
}

export function populateStatus(d: u32, n: u32): bool {
  const g = gt(d);
  const have = nrStatusFrames(d);
  const want = statusFramesFor(n);
  for (let i = have; i < want; i++) {
    const m = allocShared(d);
    if (m < 0) {
      for (let k = have; k < i; k++) releaseShared(statusFrame(d, k));
      return false;
    }
    store<u32>(g + G_STATUS + (i << 2), <u32>m);
  }
  if (want > have) store<u32>(g + G_NR_STATUS, want);
  return true;
}

// gnttab_unpopulate_status_frames: only when nothing but the hypervisor holds any of them
// (a frame the domain still maps stays, and the switch fails with -EBUSY).
export function unpopulateStatus(d: u32): bool {
  const n = nrStatusFrames(d);
  for (let i: u32 = 0; i < n; i++) {
    const e = ftEntry(statusFrame(d, i));
    if (load<u32>(e + FT_COUNT) != 1 || (load<u16>(e + FT_FLAGS) & FTF_ALLOCATED) == 0) return false;
  }
  for (let i: u32 = 0; i < n; i++) releaseShared(statusFrame(d, i));
  store<u32>(gt(d) + G_NR_STATUS, 0);
  return true;
}

export function setVersionField(d: u32, v: u32): void {
  store<u32>(gt(d) + G_VERSION, v);
}

// Zero every shared frame (set_version leaves no crud of the old format).
export function clearShared(d: u32): void {
  const n = nrGrantFrames(d);
  for (let i: u32 = 0; i < n; i++) {
    const m = sharedFrame(d, i);
    codeWritten(m);
    memory.fill(frameAddr(m), 0, 4096);
  }
}

// ---- entries ----

// Host address of the shared entry for ref (its header: flags u16, domid u16).
export function sharedEntry(d: u32, ref: u32): u32 {
  if (gtVersion(d) == 1) return frameAddr(sharedFrame(d, ref >> 9)) + ((ref & 511) << 3);
  return frameAddr(sharedFrame(d, ref >> 8)) + ((ref & 255) << 4);
}

// Host address of the u16 that carries GTF_reading/GTF_writing for ref: the entry's flags in
// v1, its status word in v2.
export function statusWord(d: u32, ref: u32): u32 {
  if (gtVersion(d) == 1) return sharedEntry(d, ref);
  return frameAddr(statusFrame(d, ref >> 11)) + ((ref & 2047) << 1);
}

export function activeEntry(d: u32, ref: u32): u32 {
  const m = load<u32>(gt(d) + G_ACTIVE + ((ref >> 8) << 2)) & 0x7fffffff;
  return frameAddr(m) + ((ref & 255) << 4);
}

export function clearFlags(d: u32, ref: u32, flags: u32): void {
  const p = statusWord(d, ref);
  store<u16>(p, load<u16>(p) & ~<u16>flags);
}

// ---- maptrack ----

export function maptrackLimit(d: u32): u32 {
  return load<u32>(gt(d) + G_NR_MAPTRACK) * MAPTRACK_PER_FRAME;
}

export function maptrackEntry(d: u32, h: u32): u32 {
  const dir = load<u32>(gt(d) + G_MT_DIR) - 1;
  const m = load<u32>(frameAddr(dir) + ((h >> 8) << 2));
  return frameAddr(m) + ((h & 255) << 4);
}

// get_maptrack_handle: the free list always keeps one entry (its tail); when only that one
// is left a new frame is added, up to the domain's limit. MT_NONE when none is left.
export function getMaptrackHandle(d: u32): u32 {
  const g = gt(d);
  const head = load<u32>(g + G_MT_HEAD);
  if (head != MT_NONE && head != load<u32>(g + G_MT_TAIL)) {
    store<u32>(g + G_MT_HEAD, load<u32>(maptrackEntry(d, head) + MT_REF));
    return head;
  }
  const nr = load<u32>(g + G_NR_MAPTRACK);
  if (nr >= maxMaptrackFrames(d)) return MT_NONE;
  if (load<u32>(g + G_MT_DIR) == 0) {
    const dir = allocFrame(DOMID_XEN);
    if (dir < 0) return MT_NONE;
    store<u32>(g + G_MT_DIR, <u32>dir + 1);
  }
  const m = allocFrame(DOMID_XEN);
  if (m < 0) return MT_NONE;
  store<u32>(frameAddr(load<u32>(g + G_MT_DIR) - 1) + (nr << 2), <u32>m);
  store<u32>(g + G_NR_MAPTRACK, nr + 1);
  // The first new entry is handed out; the rest go to the head of the free list.
  const first = nr * MAPTRACK_PER_FRAME;
  for (let i: u32 = 1; i < MAPTRACK_PER_FRAME; i++) {
    const next = i + 1 < MAPTRACK_PER_FRAME ? first + i + 1 : head;
    store<u32>(maptrackEntry(d, first + i) + MT_REF, next);
  }
  if (head == MT_NONE) store<u32>(g + G_MT_TAIL, first + MAPTRACK_PER_FRAME - 1);
  store<u32>(g + G_MT_HEAD, first + 1);
  return first;
}

// put_maptrack_handle: freed handles join the tail, so a stale handle is not reused at once.
export function putMaptrackHandle(d: u32, h: u32): void {
  const g = gt(d);
  const e = maptrackEntry(d, h);
  store<u16>(e + MT_FLAGS, 0);
  store<u32>(e + MT_REF, MT_NONE);
  const tail = load<u32>(g + G_MT_TAIL);
  if (tail == MT_NONE) {
    store<u32>(g + G_MT_HEAD, h);
  } else {
    store<u32>(maptrackEntry(d, tail) + MT_REF, h);
  }
  store<u32>(g + G_MT_TAIL, h);
}

export function gtInited(d: u32): bool {
  return d < MAX_DOMAINS && load<u32>(gt(d) + G_INITED) != 0;
}

// grant_table_destroy, once a destroyed domain's last frame is gone: the shared and status
// frames (only the hypervisor's reference is left on them), the active and maptrack frames, and
// the record itself.
export function gtFree(d: u32): void {
  const g = gt(d);
  if (load<u32>(g + G_INITED) != 0) {
    for (let i: u32 = 0; i < nrGrantFrames(d); i++) releaseShared(sharedFrame(d, i));
    for (let i: u32 = 0; i < nrStatusFrames(d); i++) releaseShared(statusFrame(d, i));
  }
  for (let a: u32 = 0; a < (MAX_GRANT_FRAMES * 512) / ACT_PER_FRAME; a++) {
    const m = load<u32>(g + G_ACTIVE + (a << 2));
    if (m != 0) freeFrame(m & 0x7fffffff);
  }
  const dir = load<u32>(g + G_MT_DIR);
  if (dir != 0) {
    const n = load<u32>(g + G_NR_MAPTRACK);
    for (let i: u32 = 0; i < n; i++) freeFrame(load<u32>(frameAddr(dir - 1) + (i << 2)));
    freeFrame(dir - 1);
  }
  memory.fill(g, 0, GNT_STRIDE);
}

// Whether mfn is one of d's shared or status frames.
export function isTableFrame(d: u32, mfn: u64): bool {
  if (load<u32>(gt(d) + G_INITED) == 0) return false;
  for (let i: u32 = 0; i < nrGrantFrames(d); i++) if (<u64>sharedFrame(d, i) == mfn) return true;
  for (let i: u32 = 0; i < nrStatusFrames(d); i++) if (<u64>statusFrame(d, i) == mfn) return true;
  return false;
}
