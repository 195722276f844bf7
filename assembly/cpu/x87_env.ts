// x87 control and environment: fninit, fnclex, fldcw, the environment and full-state images
// of fnstenv/fldenv/fnsave/frstor (32-bit layout, or the 16-bit one with 0x66), the FXSAVE
// x87 part for fxsave/fxrstor, and emms.
import { FPU } from "../layout";
import { rd16, rd32, rd64, wr16, wr32, wr64, probeWrite, faulted } from "./mem";
import {
  F_FCW, F_FSW, F_TAG, F_FOP, F_FIP, F_FDP, F_FCS, F_FDS, F_STAGE, fcw, fsw, setFsw, setFcw,
  top, physAddr, fullTagWord, loadTagWord, SW_ES,
} from "./x87_state";

// The state after fninit, in the FPU area at `base` (registers keep their contents).
export function initAt(base: u32): void {
  store<u16>(base + (F_FCW - FPU), 0x37f);
  store<u16>(base + (F_FSW - FPU), 0);
  store<u8>(base + (F_TAG - FPU), 0);
  store<u16>(base + (F_FOP - FPU), 0);
  store<u64>(base + (F_FIP - FPU), 0);
  store<u64>(base + (F_FDP - FPU), 0);
  store<u16>(base + (F_FCS - FPU), 0);
  store<u16>(base + (F_FDS - FPU), 0);
}

export function fninit(): void {
  initAt(FPU);
}

export function fnclex(): void {
  store<u16>(F_FSW, <u16>(fsw() & 0x7f00));
}

export function emms(): void {
  store<u8>(F_TAG, 0);
  // The reference processor also resets TOP.
  store<u16>(F_FSW, <u16>(fsw() & ~0x3800));
}

// ---- fnstenv / fnsave ----

function envSize(o16: bool): u32 {
  return o16 ? 14 : 28;
}

// Write the environment image at va (already checked writable).
function writeEnv(va: u64, o16: bool): void {
  const tw = fullTagWord();
  if (o16) {
    wr16(va, fcw());
    wr16(va + 2, fsw());
    wr16(va + 4, tw);
    wr16(va + 6, load<u16>(F_FIP));
    wr16(va + 8, load<u16>(F_FCS));
    wr16(va + 10, load<u16>(F_FDP));
    wr16(va + 12, load<u16>(F_FDS));
    return;
  }
  wr32(va, 0xffff0000 | fcw());
  wr32(va + 4, 0xffff0000 | fsw());
  wr32(va + 8, 0xffff0000 | tw);
  wr32(va + 12, load<u32>(F_FIP));
  wr32(va + 16, <u64>load<u16>(F_FCS) | (<u64>(load<u16>(F_FOP) & 0x7ff) << 16));
  wr32(va + 20, load<u32>(F_FDP));
  wr32(va + 24, 0xffff0000 | <u64>load<u16>(F_FDS));
}

// fnstenv: store the environment, then mask every exception.
export function fnstenv(va: u64, o16: bool): void {
  if (!probeWrite(va, envSize(o16))) return;
  writeEnv(va, o16);
  if (faulted) return;
  setFcw(fcw() | 0x3f);
}

// fnsave: environment plus ST(0)..ST(7), then fninit.
export function fnsave(va: u64, o16: bool): void {
  const n = envSize(o16);
  if (!probeWrite(va, n + 80)) return;
  writeEnv(va, o16);
  for (let i: u32 = 0; i < 8; i++) {
    const a = physAddr((top() + i) & 7);
    const p = va + <u64>(n + i * 10);
    wr64(p, load<u64>(a));
    wr16(p + 8, load<u16>(a + 8));
  }
  if (faulted) return;
  fninit();
}

// ---- fldenv / frstor ----

// Copy `len` bytes of the image at va into the staging buffer. False after a fault.
function stage(va: u64, len: u32): bool {
  let o: u32 = 0;
  for (; o + 8 <= len; o += 8) store<u64>(F_STAGE + o, rd64(va + <u64>o));
  if (o + 4 <= len) {
    store<u32>(F_STAGE + o, <u32>rd32(va + <u64>o));
    o += 4;
  }
  if (o + 2 <= len) store<u16>(F_STAGE + o, <u16>rd16(va + <u64>o));
  return !faulted;
}

function loadEnv(o16: bool): void {
  const s = F_STAGE;
  if (o16) {
    setFcw(load<u16>(s));
    setFsw(load<u16>(s + 2));
    loadTagWord(load<u16>(s + 4));
    store<u64>(F_FIP, <u64>load<u16>(s + 6));
    store<u16>(F_FOP, 0);
    store<u16>(F_FCS, load<u16>(s + 8));
    store<u64>(F_FDP, <u64>load<u16>(s + 10));
    store<u16>(F_FDS, load<u16>(s + 12));
    return;
  }
  setFcw(load<u16>(s));
  setFsw(load<u16>(s + 4));
  loadTagWord(load<u16>(s + 8));
  store<u64>(F_FIP, <u64>load<u32>(s + 12));
  store<u16>(F_FCS, load<u16>(s + 16));
  store<u16>(F_FOP, load<u16>(s + 18) & 0x7ff);
  store<u64>(F_FDP, <u64>load<u32>(s + 20));
  store<u16>(F_FDS, load<u16>(s + 24));
}

export function fldenv(va: u64, o16: bool): void {
  if (!stage(va, envSize(o16))) return;
  loadEnv(o16);
}

export function frstor(va: u64, o16: bool): void {
  const n = envSize(o16);
  if (!stage(va, n + 80)) return;
  loadEnv(o16);
  const t = top();
  for (let i: u32 = 0; i < 8; i++) {
    const a = physAddr((t + i) & 7);
    store<u64>(a, load<u64>(F_STAGE + n + i * 10));
    store<u16>(a + 8, load<u16>(F_STAGE + n + i * 10 + 8));
  }
}

// ---- the x87 part of the FXSAVE image ----

// Bytes 0..23 and 32..159 of the image at host address h (MXCSR and MXCSR_MASK at 24/28
// belong to the caller). wide: the REX.W layout (64-bit FIP/FDP) instead of FIP/FCS and
// FDP/FDS. The reference processor (AMD) stores FOP, FIP and FDP only while an unmasked
// exception is pending (ES = 1), and zeros otherwise.
export function saveImage(h: u32, wide: bool): void {
  store<u16>(h, fcw());
  store<u16>(h + 2, fsw());
  store<u8>(h + 4, load<u8>(F_TAG));
  store<u8>(h + 5, 0);
  const pending = (fsw() & SW_ES) != 0;
  store<u16>(h + 6, pending ? load<u16>(F_FOP) : 0);
  if (!pending) {
    store<u64>(h + 8, 0);
    store<u64>(h + 16, 0);
  } else if (wide) {
    store<u64>(h + 8, load<u64>(F_FIP));
    store<u64>(h + 16, load<u64>(F_FDP));
  } else {
    store<u32>(h + 8, load<u32>(F_FIP));
    store<u32>(h + 12, load<u16>(F_FCS));
    store<u32>(h + 16, load<u32>(F_FDP));
    store<u32>(h + 20, load<u16>(F_FDS));
  }
  const t = top();
  for (let i: u32 = 0; i < 8; i++) {
    const a = physAddr((t + i) & 7);
    const d = h + 32 + i * 16;
    store<u64>(d, load<u64>(a));
    store<u64>(d + 8, <u64>load<u16>(a + 8));
  }
}

export function restoreImage(h: u32, wide: bool): bool {
  setFcw(load<u16>(h));
  setFsw(load<u16>(h + 2));
  store<u8>(F_TAG, load<u8>(h + 4));
  store<u16>(F_FOP, load<u16>(h + 6) & 0x7ff);
  if (wide) {
    store<u64>(F_FIP, load<u64>(h + 8));
    store<u64>(F_FDP, load<u64>(h + 16));
    store<u16>(F_FCS, 0);
    store<u16>(F_FDS, 0);
  } else {
    store<u64>(F_FIP, <u64>load<u32>(h + 8));
    store<u16>(F_FCS, load<u16>(h + 12));
    store<u64>(F_FDP, <u64>load<u32>(h + 16));
    store<u16>(F_FDS, load<u16>(h + 20));
  }
  const t = top();
  for (let i: u32 = 0; i < 8; i++) {
    const a = physAddr((t + i) & 7);
    const s = h + 32 + i * 16;
    store<u64>(a, load<u64>(s));
    store<u16>(a + 8, load<u16>(s + 8));
  }
  return true;
}
