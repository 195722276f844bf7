// Decoded-block cache. A block is a run of decoded instructions inside one page, ending at
// a control transfer; it is keyed by the host address of its first byte, so it is shared by
// every mapping of a frame and survives TLB flushes. Frames holding cached code are marked
// in the frame table: writes to them take the slow path, which drops the frame's blocks
// (self-modifying code, code loading, frame reuse).
import { BLOCKS, BLOCK_ENTRIES, BLOCK_STRIDE, BLOCK_HDR, REC_SIZE, BLOCK_MAX_INSNS, DEC } from "../layout";
import { poolBase, nrFrames, ftEntry, FT_FLAGS } from "../mm/frames";
import { tlbDropWrites, faulted, clearFault, bumpEpoch } from "./mem";
import { decode, D_OP, D_LEN, D_REP, D_REG, D_MOD } from "./decode";

export const FTF_CODE: u16 = 2;

@inline export function blockIndex(h: u32): u32 {
  return (h ^ (h >> 12) ^ (h >> 22)) & (BLOCK_ENTRIES - 1);
}

@inline export function blockAt(h: u32): u32 {
  return BLOCKS + blockIndex(h) * BLOCK_STRIDE;
}

// Instructions after which decoding stops: control transfers and instructions that enter
// the hypervisor or repeat themselves.
function endsBlock(): bool {
  const op = <u32>load<u16>(DEC + D_OP);
  if (load<u8>(DEC + D_REP) != 0) return true; // rep string ops, pause, mandatory-prefix SSE (harmless)
  if (op < 0x100) {
    if (op >= 0x70 && op <= 0x7f) return true;
    if (op >= 0xe0 && op <= 0xef) return true; // loop, jrcxz, in/out, call, jmp
    if (op >= 0xc2 && op <= 0xc3) return true;
    if (op >= 0xca && op <= 0xcf) return true;
    if (op == 0xf4 || op == 0xfa || op == 0xfb || op == 0x9d || op == 0x8e || op == 0xf1) return true;
    if (op == 0xff) {
      const r = load<u8>(DEC + D_REG) & 7;
      return r >= 2 && r <= 5;
    }
    return false;
  }
  if (op < 0x200) {
    const b = op & 0xff;
    if (b >= 0x80 && b <= 0x8f) return true;
    return b <= 0x0b || (b >= 0x20 && b <= 0x23) || (b >= 0x30 && b <= 0x35) || b == 0xa1 || b == 0xa9 || b == 0xa2 || b == 0xae;
  }
  return false;
}

// Decode a block starting at host address h (the first instruction must lie in the page).
// Returns the block address, or 0 with the fault of the first instruction raised.
export function buildBlock(h: u32): u32 {
  const blk = blockAt(h);
  let n: u32 = 0;
  let p = h;
  while (n < BLOCK_MAX_INSNS && (p & 0xfff) <= 4096 - 16) {
    if (!decode(p)) {
      if (n == 0) return 0; // the caller delivers the fault
      clearFault(); // later instructions may never run: they fault when they do
      break;
    }
    const rec = blk + BLOCK_HDR + n * REC_SIZE;
    v128.store(rec, v128.load(DEC));
    v128.store(rec + 16, v128.load(DEC + 16));
    v128.store(rec + 32, v128.load(DEC + 32));
    n++;
    p += <u32>load<u8>(DEC + D_LEN);
    if (endsBlock()) break;
  }
  store<u32>(blk, h);
  store<u32>(blk + 4, n);
  const mfn = (h - poolBase) >> 12;
  const e = ftEntry(mfn) + FT_FLAGS;
  const f = load<u16>(e);
  if ((f & FTF_CODE) == 0) {
    store<u16>(e, f | FTF_CODE);
    tlbDropWrites(h & ~0xfff);
  }
  return blk;
}

@inline export function loadRecord(rec: u32): void {
  v128.store(DEC, v128.load(rec));
  v128.store(DEC + 16, v128.load(rec + 16));
  v128.store(DEC + 32, v128.load(rec + 32));
}

@inline export function frameHasCode(mfn: u32): bool {
  return (load<u16>(ftEntry(mfn) + FT_FLAGS) & FTF_CODE) != 0;
}

// Frame mfn was (or is about to be) written: forget blocks decoded from it.
export function codeWritten(mfn: u32): void {
  if (mfn >= nrFrames) return;
  const e = ftEntry(mfn) + FT_FLAGS;
  const f = load<u16>(e);
  if ((f & FTF_CODE) == 0) return;
  store<u16>(e, f & ~FTF_CODE);
  const page = poolBase + (mfn << 12);
  for (let off: u32 = 0; off < 4096; off++) {
    const blk = blockAt(page + off);
    if (load<u32>(blk) == page + off) store<u32>(blk, 0);
  }
  bumpEpoch();
}

export function dcReset(): void {
  for (let i: u32 = 0; i < BLOCK_ENTRIES; i++) store<u32>(BLOCKS + i * BLOCK_STRIDE, 0);
}
