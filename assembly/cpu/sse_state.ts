// fxsave/fxrstor (0F AE /0, /1): the 512-byte x87 + SSE state image. Bytes 0..159 (the x87
// part, except MXCSR at 24 and MXCSR_MASK at 28) belong to x87.ts, REX.W selecting the 64-bit
// FIP/FDP format; XMM0-15 sit at 160..415; 416..511 are left untouched by fxsave and ignored
// by fxrstor. The whole 512 bytes must be 16-byte aligned (#GP(0)) and accessible (#PF)
// before anything changes.
import { XMM, MXCSR } from "../layout";
import { ea } from "./regs";
import { rd128, wr128, translate, ACC_R, ACC_W, faulted, raiseGP0 } from "./mem";
import { MXCSR_MASK } from "./sse_mxcsr";
import { rexW } from "./sse_operand";
import { x87Save, x87Restore } from "./x87";

const IMAGE: u32 = <u32>memory.data(512, 16);
const IMAGE_USED: u32 = 416;

// Check that both pages [va, va + 512) may touch allow access `acc`, raising the fault if not.
function probe512(va: u64, acc: u32): bool {
  if (translate(va, acc) == 0) return false;
  const off = <u32>va & 0xfff;
  if (off + 512 > 4096) return translate(va + <u64>(4096 - off), acc) != 0;
  return true;
}

export function fxsave(): void {
  const va = ea();
  if ((va & 15) != 0) {
    raiseGP0();
    return;
  }
  if (!probe512(va, ACC_W)) return;
  x87Save(IMAGE, rexW());
  store<u32>(IMAGE + 24, load<u32>(MXCSR));
  store<u32>(IMAGE + 28, MXCSR_MASK);
  memory.copy(IMAGE + 160, XMM, 256);
  for (let off: u32 = 0; off < IMAGE_USED; off += 16) wr128(va + <u64>off, IMAGE + off);
}

export function fxrstor(): void {
  const va = ea();
  if ((va & 15) != 0) {
    raiseGP0();
    return;
  }
  if (!probe512(va, ACC_R)) return;
  for (let off: u32 = 0; off < IMAGE_USED; off += 16) rd128(va + <u64>off, IMAGE + off);
  if (faulted) return;
  const mx = load<u32>(IMAGE + 24);
  if ((mx & ~MXCSR_MASK) != 0 || !x87Restore(IMAGE, rexW())) {
    raiseGP0();
    return;
  }
  store<u32>(MXCSR, mx);
  memory.copy(XMM, IMAGE + 160, 256);
}
