// Integer arithmetic with flags: the eight ALU ops, shifts and rotates, multiply and
// divide, bit tests and scans.
import {
  setLazy, setLazyC, setResFlags, getCF, sizeMask, signBit, getRflags, setRflags,
  F_ADD, F_ADC, F_SUB, F_SBB, F_LOGIC, F_INC, F_DEC, CF, OF, AF, ZF, ARITH,
} from "./flags";
import { raise, EXC_DE } from "./mem";

// op: 0 add, 1 or, 2 adc, 3 sbb, 4 and, 5 sub, 6 xor, 7 cmp. Returns the masked result.
export function alu(op: u32, size: u32, a: u64, b: u64): u64 {
  const m = sizeMask(size);
  a &= m;
  b &= m;
  let r: u64;
  switch (op) {
    case 0:
      r = a + b;
      setLazy(F_ADD, size, r, a, b);
      break;
    case 1:
      r = a | b;
      setLazy(F_LOGIC, size, r, a, b);
      break;
    case 2: {
      const c = getCF();
      r = a + b + c;
      setLazyC(F_ADC, size, r, a, b, c);
      break;
    }
    case 3: {
      const c = getCF();
      r = a - b - c;
      setLazyC(F_SBB, size, r, a, b, c);
      break;
    }
    case 4:
      r = a & b;
      setLazy(F_LOGIC, size, r, a, b);
      break;
    case 6:
      r = a ^ b;
      setLazy(F_LOGIC, size, r, a, b);
      break;
    default: // 5 sub, 7 cmp
      r = a - b;
      setLazy(F_SUB, size, r, a, b);
      break;
  }
  return r & m;
}

export function inc(size: u32, a: u64): u64 {
  const c = getCF();
  const r = (a + 1) & sizeMask(size);
  setLazyC(F_INC, size, r, a, 1, c);
  return r;
}

export function dec(size: u32, a: u64): u64 {
  const c = getCF();
  const r = (a - 1) & sizeMask(size);
  setLazyC(F_DEC, size, r, a, 1, c);
  return r;
}

export function neg(size: u32, a: u64): u64 {
  const m = sizeMask(size);
  const r = (0 - a) & m;
  setLazy(F_SUB, size, r, 0, a & m);
  return r;
}

@inline function sext(v: u64, size: u32): i64 {
  const sh = <u64>(64 - (size << 3));
  return (<i64>(v << sh)) >> sh;
}

export function signExtend(v: u64, size: u32): u64 {
  return <u64>sext(v, size);
}

// Shift/rotate group (ModRM.reg = op): 0 rol, 1 ror, 2 rcl, 3 rcr, 4 shl, 5 shr, 6 sal, 7 sar.
// Returns the new value; flags are untouched when the masked count is 0.
export function shift(op: u32, size: u32, a: u64, count: u64): u64 {
  const bits = <u64>(size << 3);
  const m = sizeMask(size);
  const sb = signBit(size);
  a &= m;
  const c = count & (size == 8 ? 63 : 31);
  if (c == 0) return a;
  let r: u64 = a;
  let cf: u64 = 0;
  let ovf: u64 = 0;
  switch (op) {
    case 0: { // rol
      const n = c % bits;
      r = n == 0 ? a : ((a << n) | (a >> (bits - n))) & m;
      cf = r & 1;
      ovf = ((r & sb) != 0 ? 1 : 0) ^ cf;
      setArithCO(cf, ovf);
      return r;
    }
    case 1: { // ror
      const n = c % bits;
      r = n == 0 ? a : ((a >> n) | (a << (bits - n))) & m;
      cf = (r & sb) != 0 ? 1 : 0;
      ovf = cf ^ ((r & (sb >> 1)) != 0 ? 1 : 0);
      setArithCO(cf, ovf);
      return r;
    }
    case 2: { // rcl: rotate through CF over bits+1 positions
      const n = size < 4 ? c % (bits + 1) : c;
      let cin = getCF();
      r = a;
      for (let i: u64 = 0; i < n; i++) {
        const out = (r & sb) != 0 ? <u64>1 : 0;
        r = ((r << 1) | cin) & m;
        cin = out;
      }
      cf = cin;
      ovf = ((r & sb) != 0 ? 1 : 0) ^ cf;
      setArithCO(cf, ovf);
      return r;
    }
    case 3: { // rcr
      const n = size < 4 ? c % (bits + 1) : c;
      let cin = getCF();
      r = a;
      ovf = ((r & sb) != 0 ? 1 : 0) ^ cin;
      for (let i: u64 = 0; i < n; i++) {
        const out = r & 1;
        r = (r >> 1) | (cin != 0 ? sb : 0);
        cin = out;
      }
      cf = cin;
      if (n != 1) ovf = ((r & sb) != 0 ? 1 : 0) ^ ((r & (sb >> 1)) != 0 ? 1 : 0);
      setArithCO(cf, ovf);
      return r;
    }
    case 4:
    case 6: { // shl/sal
      r = c >= 64 ? 0 : (a << c) & m;
      cf = c <= bits ? (a >> (bits - c)) & 1 : 0;
      ovf = ((r & sb) != 0 ? 1 : 0) ^ cf;
      break;
    }
    case 5: { // shr
      r = c >= 64 ? 0 : a >> c;
      cf = c <= 64 ? (a >> (c - 1)) & 1 : 0;
      ovf = (a & sb) != 0 ? 1 : 0;
      if (c > bits) cf = 0;
      break;
    }
    default: { // sar
      const s = sext(a, size);
      const n = c >= bits ? bits - 1 : c;
      r = <u64>(s >> <i64>n) & m;
      cf = <u64>(s >> <i64>(c - 1 >= bits ? bits - 1 : c - 1)) & 1;
      ovf = 0;
      break;
    }
  }
  setResFlags(size, r, (cf != 0 ? CF : 0) | (ovf != 0 ? OF : 0));
  return r;
}

// Rotates change only CF and OF.
function setArithCO(cf: u64, ovf: u64): void {
  const f = getRflags();
  setRflags((f & ~(CF | OF)) | (cf != 0 ? CF : 0) | (ovf != 0 ? OF : 0));
}

// Double-precision shifts (shld when left, else shrd). Count is masked to 5/6 bits.
export function shiftDouble(left: bool, size: u32, dst: u64, src: u64, count: u64): u64 {
  const bits = <u64>(size << 3);
  const m = sizeMask(size);
  const c = count & (size == 8 ? 63 : 31);
  dst &= m;
  src &= m;
  if (c == 0) return dst;
  let r: u64;
  let cf: u64;
  if (size == 2 && c >= 16) {
    // Undefined by the SDM for counts above the operand size; computed as a 32-bit shift.
    const w: u64 = left ? (dst << 16) | src : (src << 16) | dst;
    r = left ? ((w << c) >> 16) & m : (w >> c) & m;
    cf = left ? (w >> (32 - c)) & 1 : (w >> (c - 1)) & 1;
  } else if (left) {
    r = ((dst << c) | (c == bits ? src : src >> (bits - c))) & m;
    cf = (dst >> (bits - c)) & 1;
  } else {
    r = ((dst >> c) | (c == bits ? src : src << (bits - c))) & m;
    cf = (dst >> (c - 1)) & 1;
  }
  const sb = signBit(size);
  const ovf: u64 = ((r ^ dst) & sb) != 0 ? 1 : 0;
  setResFlags(size, r, (cf != 0 ? CF : 0) | (ovf != 0 ? OF : 0));
  return r;
}

// Unsigned 64x64 -> high 64 bits.
export function mulhu(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff;
  const a1 = a >> 32;
  const b0 = b & 0xffffffff;
  const b1 = b >> 32;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

export function mulhs(a: u64, b: u64): u64 {
  let h = mulhu(a, b);
  if (<i64>a < 0) h -= b;
  if (<i64>b < 0) h -= a;
  return h;
}

// mul/imul with one operand: returns the low half; hi receives the high half.
export let mulHigh: u64 = 0;

export function mul1(signed: bool, size: u32, a: u64, b: u64): u64 {
  const m = sizeMask(size);
  let lo: u64;
  let hi: u64;
  let overflow: bool;
  if (size == 8) {
    lo = a * b;
    hi = signed ? mulhs(a, b) : mulhu(a, b);
    overflow = signed ? hi != <u64>(<i64>lo >> 63) : hi != 0;
  } else {
    const bits = <u64>(size << 3);
    if (signed) {
      const p = sext(a, size) * sext(b, size);
      lo = <u64>p & m;
      hi = (<u64>p >> bits) & m;
      overflow = p != sext(lo, size);
    } else {
      const p = (a & m) * (b & m);
      lo = p & m;
      hi = (p >> bits) & m;
      overflow = hi != 0;
    }
  }
  mulHigh = hi;
  setResFlags(size, lo, overflow ? CF | OF : 0);
  return lo;
}

// Two/three-operand imul: truncated product; CF=OF on signed overflow.
export function imul2(size: u32, a: u64, b: u64): u64 {
  return mul1(true, size, a, b);
}

// Division. Returns false after raising #DE. Quotient/remainder in divQ/divR.
export let divQ: u64 = 0;
export let divR: u64 = 0;

export function div(signed: bool, size: u32, hi: u64, lo: u64, d: u64): bool {
  const m = sizeMask(size);
  d &= m;
  if (d == 0) {
    raise(EXC_DE, -1);
    return false;
  }
  if (size < 8) {
    const bits = <u64>(size << 3);
    const n: u64 = ((hi & m) << bits) | (lo & m);
    if (!signed) {
      const q = n / d;
      if (q > m) {
        raise(EXC_DE, -1);
        return false;
      }
      divQ = q;
      divR = n % d;
    } else {
      const sn = size == 4 ? <i64>n : sext(n, size * 2);
      const sd = sext(d, size);
      if (sn == <i64>0x8000000000000000 && sd == -1) {
        raise(EXC_DE, -1);
        return false;
      }
      const q = sn / sd;
      const lim = <i64>1 << (<i64>bits - 1);
      if (q >= lim || q < -lim) {
        raise(EXC_DE, -1);
        return false;
      }
      divQ = <u64>q & m;
      divR = <u64>(sn % sd) & m;
    }
    return true;
  }
  if (!signed) return udiv128(hi, lo, d);
  // Signed 128/64.
  const nneg = <i64>hi < 0;
  const dneg = <i64>d < 0;
  let nh = hi;
  let nl = lo;
  if (nneg) {
    nl = ~nl + 1;
    nh = ~nh + (nl == 0 ? 1 : 0);
  }
  const ud = dneg ? 0 - d : d;
  if (!udiv128(nh, nl, ud)) return false;
  const qneg = nneg != dneg;
  if (qneg ? divQ > 0x8000000000000000 : divQ > 0x7fffffffffffffff) {
    raise(EXC_DE, -1);
    return false;
  }
  if (qneg) divQ = 0 - divQ;
  if (nneg) divR = 0 - divR;
  return true;
}

function udiv128(hi: u64, lo: u64, d: u64): bool {
  if (hi >= d) {
    raise(EXC_DE, -1);
    return false;
  }
  if (hi == 0) {
    divQ = lo / d;
    divR = lo % d;
    return true;
  }
  // Restoring division, one bit at a time (hi < d so the quotient fits).
  let r = hi;
  let q: u64 = 0;
  for (let i = 63; i >= 0; i--) {
    const top = r >> 63;
    r = (r << 1) | ((lo >> <u64>i) & 1);
    q <<= 1;
    if (top != 0 || r >= d) {
      r -= d;
      q |= 1;
    }
  }
  divQ = q;
  divR = r;
  return true;
}

// bt/bts/btr/btc on a value: sets CF to the bit; returns the modified value.
export function bitOp(op: u32, size: u32, v: u64, bit: u64): u64 {
  const b = bit & <u64>((size << 3) - 1);
  const mask = <u64>1 << b;
  const f = getRflags();
  setRflags((f & ~CF) | ((v & mask) != 0 ? CF : 0));
  switch (op) {
    case 1: return v | mask; // bts
    case 2: return v & ~mask; // btr
    case 3: return v ^ mask; // btc
    default: return v;
  }
}

// bsf/bsr: returns -1 (destination unchanged) when the source is zero.
export function bitScan(reverse: bool, size: u32, v: u64): i64 {
  v &= sizeMask(size);
  const f = getRflags() & ~ARITH;
  if (v == 0) {
    setRflags(f | ZF);
    return -1;
  }
  setRflags(f);
  return reverse ? <i64>(63 - clz<u64>(v)) : <i64>ctz<u64>(v);
}

export function setLogicFlags(size: u32, r: u64): void {
  setLazy(F_LOGIC, size, r, 0, 0);
}

export function setSubFlags(size: u32, a: u64, b: u64): void {
  const m = sizeMask(size);
  setLazy(F_SUB, size, (a - b) & m, a & m, b & m);
}

export function setAddFlags(size: u32, a: u64, b: u64): void {
  const m = sizeMask(size);
  setLazy(F_ADD, size, (a + b) & m, a & m, b & m);
}

export const AF_BIT: u64 = AF;
