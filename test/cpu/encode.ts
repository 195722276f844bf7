// Builds one instruction's bytes: legacy prefixes, mandatory prefix, REX, opcode, ModRM/SIB,
// displacement and immediate. A RIP-relative displacement is fixed up once the length is known.
export interface Insn {
  prefixes: number[]; // legacy prefixes in order (LOCK, segment, 0x67, 0x66, rep)
  mandatory?: number; // 0x66/0xf2/0xf3 right before REX
  rexW: boolean;
  rexForce: boolean; // emit REX even when no bit is needed (byte registers SPL..DIL)
  opRegB?: boolean; // REX.B extends the register in the opcode's low bits
  op: number; // map << 8 | byte
  modrm?: { mod: number; reg: number; rm: number };
  sib?: { scale: number; index: number; base: number };
  disp?: { size: 1 | 4; value: bigint };
  /** Absolute target of a RIP-relative operand (RIP after the instruction + disp). */
  ripTarget?: bigint;
  imm: Uint8Array;
}

export function newInsn(op: number): Insn {
  return { prefixes: [], rexW: false, rexForce: false, op, imm: new Uint8Array(0) };
}

export function encode(i: Insn, va: bigint): Uint8Array {
  const out: number[] = [...i.prefixes];
  if (i.mandatory !== undefined) out.push(i.mandatory);
  let rex = 0;
  if (i.rexW) rex |= 8;
  if (i.modrm && i.modrm.reg & 8) rex |= 4;
  if (i.sib && i.sib.index & 8) rex |= 2;
  if (i.modrm && i.modrm.mod !== 3 && !i.sib && i.modrm.rm & 8) rex |= 1;
  if (i.modrm && i.modrm.mod === 3 && i.modrm.rm & 8) rex |= 1;
  if (i.sib && i.sib.base & 8) rex |= 1;
  if (i.opRegB) rex |= 1;
  if (rex || i.rexForce) out.push(0x40 | rex);
  const map = i.op >> 8;
  if (map === 1) out.push(0x0f);
  else if (map === 2) out.push(0x0f, 0x38);
  else if (map === 3) out.push(0x0f, 0x3a);
  out.push(i.op & 0xff);
  let dispAt = -1;
  if (i.modrm) {
    out.push(((i.modrm.mod & 3) << 6) | ((i.modrm.reg & 7) << 3) | (i.modrm.rm & 7));
    if (i.sib) out.push(((i.sib.scale & 3) << 6) | ((i.sib.index & 7) << 3) | (i.sib.base & 7));
    if (i.disp) {
      dispAt = out.length;
      for (let k = 0; k < i.disp.size; k++) out.push(Number((i.disp.value >> BigInt(8 * k)) & 0xffn));
    }
  }
  out.push(...i.imm);
  const bytes = Uint8Array.from(out);
  if (i.ripTarget !== undefined && dispAt >= 0) {
    const d = BigInt.asIntN(32, i.ripTarget - (va + BigInt(bytes.length)));
    for (let k = 0; k < 4; k++) bytes[dispAt + k] = Number((d >> BigInt(8 * k)) & 0xffn);
  }
  return bytes;
}

export function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
}
