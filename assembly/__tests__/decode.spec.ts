// Decoder: instruction lengths and fields for representative encodings.
import { decode, D_LEN, D_OP, D_OSIZE, D_BASE, D_INDEX, D_SCALE, D_DISP, D_IMM, D_REG, D_RM, D_MOD, RIP_REL, NO_REG } from "../cpu/decode";
import { DEC, FETCHBUF } from "../layout";
import { clearFault, faulted, excVector } from "../cpu/mem";

function put(bytes: u8[]): u32 {
  for (let i = 0; i < 32; i++) store<u8>(FETCHBUF + i, i < bytes.length ? bytes[i] : 0x90);
  return FETCHBUF;
}

describe("decode", () => {
  it("decodes mov rax, imm64 with REX.W", () => {
    expect(decode(put([0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8]))).toBe(true);
    expect(load<u8>(DEC + D_LEN)).toBe(10);
    expect(load<u8>(DEC + D_OSIZE)).toBe(8);
    expect(load<u64>(DEC + D_IMM)).toBe(0x0807060504030201);
  });
  it("decodes SIB with index, scale and disp32", () => {
    // lea rax, [rbx + rcx*4 + 0x12345678]
    expect(decode(put([0x48, 0x8d, 0x84, 0x8b, 0x78, 0x56, 0x34, 0x12]))).toBe(true);
    expect(load<u8>(DEC + D_LEN)).toBe(8);
    expect(load<u16>(DEC + D_OP)).toBe(0x8d);
    expect(load<u8>(DEC + D_BASE)).toBe(3);
    expect(load<u8>(DEC + D_INDEX)).toBe(1);
    expect(load<u8>(DEC + D_SCALE)).toBe(2);
    expect(load<i64>(DEC + D_DISP)).toBe(0x12345678);
  });
  it("decodes RIP-relative addressing and REX.R/B", () => {
    // mov r9, [rip - 16]
    expect(decode(put([0x4c, 0x8b, 0x0d, 0xf0, 0xff, 0xff, 0xff]))).toBe(true);
    expect(load<u8>(DEC + D_BASE)).toBe(RIP_REL);
    expect(load<u8>(DEC + D_REG)).toBe(9);
    expect(load<i64>(DEC + D_DISP)).toBe(-16);
    // add r12d, r13d (register form)
    expect(decode(put([0x45, 0x01, 0xec]))).toBe(true);
    expect(load<u8>(DEC + D_MOD)).toBe(3);
    expect(load<u8>(DEC + D_RM)).toBe(12);
    expect(load<u8>(DEC + D_REG)).toBe(13);
    expect(load<u8>(DEC + D_INDEX)).toBe(NO_REG);
  });
  it("gives #GP for instructions longer than 15 bytes", () => {
    clearFault();
    const b: u8[] = [];
    for (let i = 0; i < 15; i++) b.push(0x66);
    b.push(0x90);
    expect(decode(put(b))).toBe(false);
    expect(faulted).toBe(true);
    expect(excVector).toBe(13);
    clearFault();
  });
  it("gives #UD for opcodes invalid in 64-bit mode", () => {
    clearFault();
    expect(decode(put([0x06]))).toBe(false); // push es
    expect(excVector).toBe(6);
    clearFault();
  });
});
