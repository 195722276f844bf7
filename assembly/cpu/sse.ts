// SSE/SSE2 instructions. Returns false for opcodes this file does not implement (#UD).
import { DEC } from "../layout";
import { D_LOCK } from "./decode";
import { pfx } from "./sse_operand";
import { fpArithInsn, fpCmpInsn, fpComisInsn } from "./sse_fparith";

export function execSSE(op: u32): bool {
  if (op >= 0x200 || load<u8>(DEC + D_LOCK) != 0) return false;
  const b = op & 0xff;
  const p = pfx();
  switch (b) {
    case 0x51: case 0x58: case 0x59: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
      return fpArithInsn(b, p);
    case 0xc2: return fpCmpInsn(p);
    case 0x2e: case 0x2f: return fpComisInsn(b, p);
    default: return false;
  }
}
