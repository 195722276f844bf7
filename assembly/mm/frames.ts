// Machine memory: the frame pool, the frame table and the machine-to-phys table (M2P).
// An MFN indexes the pool. Free frames are handed out in a seeded, non-identity order so a
// guest that confuses PFNs with MFNs breaks here as it would on Xen.
import { DYNAMIC_BASE } from "../layout";
import { codeWritten } from "../cpu/dcache";

// Frame table entry (16 bytes), after Xen's page_info: count_info and type_info.
export const FT_STRIDE: u32 = 16;
export const FT_COUNT: u32 = 0; // u32 general reference count
export const FT_OWNER: u32 = 4; // u16 owning domain (OWNER_FREE when free)
export const FT_FLAGS: u32 = 6; // u16 flags below
export const FT_TYPE: u32 = 8; // u64 type_info: type in 63:61, flags, count in 54:0

export const OWNER_FREE: u32 = 0xffff;
export const FTF_ALLOCATED: u16 = 1;
// (2 is FTF_CODE, cpu/dcache.ts.) The frame was handed out before and may hold old data; a frame
// never handed out is still the zero page the host's memory started as, and is not written
// (zeroing untouched memory would make the host commit every page of every new domain).
export const FTF_USED: u16 = 4;

export const M2P_INVALID: u64 = <u64>-1;

export let nrFrames: u32 = 0;
export let frameTable: u32 = 0;
export let m2pBase: u32 = 0;
export let m2pBytes: u32 = 0; // page-rounded
let freeList: u32 = 0; // u32[n]: the free frames, popped from the end
let freePos: u32 = 0; // u32[n]: where each free frame is in freeList (for taking a given one)
let freeCount: u32 = 0;
export let poolBase: u32 = 0;
let dirtyEnd: u32 = 0; // end of the highest frame ever handed out (across inits of this instance)

let rng: u64 = 0x9e3779b97f4a7c15;

export function rngNext(): u64 {
  // xorshift64*
  let x = rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng = x;
  return x * 0x2545f4914f6cdd1d;
}

@inline function pageUp(v: u64): u64 {
  return (v + 4095) & ~(<u64>4095);
}

// Bytes of linear memory init(n) needs in total.
export function memoryNeeded(n: u32): u64 {
  const ft = <u64>n * FT_STRIDE;
  const m2p = pageUp(<u64>n * 8);
  const fl = pageUp(<u64>n * 4);
  return pageUp(<u64>DYNAMIC_BASE + ft) + m2p + 2 * fl + (<u64>n << 12);
}

// Lay out and zero the frame area for n frames. Returns false if memory cannot hold it.
export function framesInit(n: u32, seed: u64): bool {
  const need = memoryNeeded(n);
  if (need > 0xffff0000) return false;
  const have = <u64>memory.size() << 16;
  if (need > have) {
    const pages = <i32>((need - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return false;
  }
  nrFrames = n;
  frameTable = DYNAMIC_BASE;
  m2pBase = <u32>pageUp(<u64>frameTable + <u64>n * FT_STRIDE);
  m2pBytes = <u32>pageUp(<u64>n * 8);
  freeList = m2pBase + m2pBytes;
  freePos = freeList + <u32>pageUp(<u64>n * 4);
  poolBase = freePos + <u32>pageUp(<u64>n * 4);
  memory.fill(frameTable, 0, n * FT_STRIDE);
  memory.fill(m2pBase, 0xff, m2pBytes);
  rng = seed ^ 0x9e3779b97f4a7c15;
  if (rng == 0) rng = 1;
  // A shuffled free list (Fisher-Yates), popped from the end.
  for (let i: u32 = 0; i < n; i++) store<u32>(freeList + (i << 2), i);
  for (let i: u32 = n - 1; i > 0; i--) {
    const j = <u32>(rngNext() % (<u64>i + 1));
    const a = load<u32>(freeList + (i << 2));
    store<u32>(freeList + (i << 2), load<u32>(freeList + (j << 2)));
    store<u32>(freeList + (j << 2), a);
  }
  for (let i: u32 = 0; i < n; i++) {
    store<u32>(freePos + (load<u32>(freeList + (i << 2)) << 2), i);
    const e = frameTable + i * FT_STRIDE;
    store<u16>(e + FT_OWNER, <u16>OWNER_FREE);
    // Memory an earlier init of this instance handed out is not the zero page any more.
    if (poolBase + (i << 12) < dirtyEnd) store<u16>(e + FT_FLAGS, FTF_USED);
  }
  freeCount = n;
  return true;
}

@inline export function frameAddr(mfn: u64): u32 {
  return poolBase + (<u32>mfn << 12);
}

@inline export function ftEntry(mfn: u64): u32 {
  return frameTable + <u32>mfn * FT_STRIDE;
}

@inline export function mfnValid(mfn: u64): bool {
  return mfn < <u64>nrFrames;
}

export function framesFree(): u32 {
  return freeCount;
}

// Take a free frame for owner; returns its MFN or -1. The frame reads as zeros.
export function allocFrame(owner: u32): i64 {
  if (freeCount == 0) return -1;
  freeCount--;
  const mfn = load<u32>(freeList + (freeCount << 2));
  takeFrame(mfn, owner);
  return mfn;
}

// A naturally aligned run of 2^order free frames below frame `limit` (0: anywhere) for owner,
// the lowest there is: its first MFN, or -1. The pool hands frames out in shuffled order, so
// once domains are built, long runs are as rare as in a fragmented Xen heap.
export function allocRun(owner: u32, order: u32, limit: u64): i64 {
  if (order > 20) return -1;
  const size: u32 = 1 << order;
  const end: u32 = limit != 0 && limit < <u64>nrFrames ? <u32>limit : nrFrames;
  for (let base: u32 = 0; base + size <= end && base + size > base; base += size) {
    let free = true;
    for (let j: u32 = 0; j < size && free; j++) free = load<u16>(ftEntry(base + j) + FT_OWNER) == <u16>OWNER_FREE;
    if (!free) continue;
    for (let j: u32 = 0; j < size; j++) {
      // Out of the free list: the last entry takes the frame's place.
      const i = load<u32>(freePos + ((base + j) << 2));
      freeCount--;
      const last = load<u32>(freeList + (freeCount << 2));
      store<u32>(freeList + (i << 2), last);
      store<u32>(freePos + (last << 2), i);
      takeFrame(base + j, owner);
    }
    return base;
  }
  return -1;
}

function takeFrame(mfn: u32, owner: u32): void {
  codeWritten(mfn);
  const e = ftEntry(mfn);
  store<u32>(e + FT_COUNT, 0);
  store<u16>(e + FT_OWNER, <u16>owner);
  const a = frameAddr(mfn);
  if ((load<u16>(e + FT_FLAGS) & FTF_USED) != 0) memory.fill(a, 0, 4096);
  if (a + 4096 > dirtyEnd) dirtyEnd = a + 4096;
  store<u16>(e + FT_FLAGS, FTF_ALLOCATED | FTF_USED);
  store<u64>(e + FT_TYPE, 0);
  store<u64>(m2pBase + (mfn << 3), M2P_INVALID);
}

export function freeFrame(mfn: u32): void {
  const e = ftEntry(mfn);
  store<u16>(e + FT_OWNER, <u16>OWNER_FREE);
  store<u16>(e + FT_FLAGS, FTF_USED);
  store<u64>(e + FT_TYPE, 0);
  store<u32>(e + FT_COUNT, 0);
  store<u64>(m2pBase + (mfn << 3), M2P_INVALID);
  store<u32>(freeList + (freeCount << 2), mfn);
  store<u32>(freePos + (mfn << 2), freeCount);
  freeCount++;
}

@inline export function frameOwner(mfn: u64): u32 {
  return load<u16>(ftEntry(mfn) + FT_OWNER);
}

@inline export function m2pSet(mfn: u64, pfn: u64): void {
  store<u64>(m2pBase + (<u32>mfn << 3), pfn);
}

@inline export function m2pGet(mfn: u64): u64 {
  return load<u64>(m2pBase + (<u32>mfn << 3));
}
