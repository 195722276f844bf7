// Lazy flags and ALU results against values worked out from the SDM.
import { alu, shift, inc, mul1, mulHigh, div, divQ, divR } from "../cpu/alu";
import { getRflags, cond, CF, ZF, SF, OF, PF, AF } from "../cpu/flags";
import { clearFault, faulted, excVector } from "../cpu/mem";

describe("lazy flags", () => {
  it("add sets CF, OF and AF like hardware", () => {
    expect(alu(0, 1, 0xff, 1)).toBe(0);
    const f = getRflags();
    expect(f & (CF | ZF | AF | PF)).toBe(CF | ZF | AF | PF);
    expect(f & (OF | SF)).toBe(0);
    alu(0, 4, 0x7fffffff, 1);
    expect(getRflags() & (OF | SF | CF)).toBe(OF | SF);
  });
  it("cmp drives every condition code", () => {
    alu(7, 8, 1, 2); // 1 - 2: below, less, not equal
    expect(cond(2)).toBe(true); // b
    expect(cond(12)).toBe(true); // l
    expect(cond(4)).toBe(false); // e
    expect(cond(7)).toBe(false); // a
    alu(7, 1, 0x80, 0x01); // -128 - 1 overflows in 8 bits
    expect(cond(0)).toBe(true); // o
    expect(cond(8)).toBe(false); // s: the 8-bit result 0x7f is positive
    expect(cond(12)).toBe(true); // l: SF != OF (-128 < 1)
  });
  it("inc keeps CF", () => {
    alu(0, 1, 0xff, 1); // CF = 1
    inc(4, 5);
    expect(getRflags() & CF).toBe(CF);
  });
  it("shl by 1 sets CF from the top bit and OF", () => {
    expect(shift(4, 1, 0xc0, 1)).toBe(0x80);
    expect(getRflags() & (CF | OF | SF)).toBe(CF | SF);
  });
  it("mul and div", () => {
    expect(mul1(false, 8, 0xffffffffffffffff, 2)).toBe(0xfffffffffffffffe);
    expect(mulHigh).toBe(1);
    expect(div(false, 8, 1, 0, 2)).toBe(true);
    expect(divQ).toBe(0x8000000000000000);
    expect(divR).toBe(0);
    clearFault();
    expect(div(false, 4, 0, 5, 0)).toBe(false);
    expect(faulted).toBe(true);
    expect(excVector).toBe(0);
    clearFault();
  });
});
