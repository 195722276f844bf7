// The common case of add/sub/mul/div on wasm floats: round-to-nearest, both operands normal,
// a result well inside the normal range. Then wasm's IEEE result is x86's, and only PE needs
// finding out, which an exact error term gives cheaply. Anything else (other rounding modes,
// zeros, denormals, infinities, NaNs, results near overflow or underflow) returns with
// `fastHit` false and goes the exact integer way (sse_softfloat.ts).
import { mxc, notePost, PE } from "./sse_softfloat";

export let fastHit: bool = false;

// Operations by the low three bits of their opcode (0F 58 add, 59 mul, 5C sub, 5E div).
export const OP_ADD: u32 = 0;
export const OP_MUL: u32 = 1;
export const OP_SUB: u32 = 4;
export const OP_DIV: u32 = 6;

// Exponent field strictly inside (0, max): normal, not zero/denormal/infinity/NaN.
@inline function normal32(b: u32): bool {
  const e = (b >> 23) & 0xff;
  return e != 0 && e != 0xff;
}
@inline function normal64(b: u64): bool {
  const e = <u32>(b >> 52) & 0x7ff;
  return e != 0 && e != 0x7ff;
}

// Whether the product of two binary64 values is exact: the odd parts of the significands
// must multiply into 53 bits.
function exactProduct64(a: u64, b: u64): bool {
  let ma = (a & 0x000fffffffffffff) | 0x0010000000000000;
  let mb = (b & 0x000fffffffffffff) | 0x0010000000000000;
  ma >>= ctz<u64>(ma);
  mb >>= ctz<u64>(mb);
  const bits = (64 - <i32>clz<u64>(ma)) + (64 - <i32>clz<u64>(mb));
  if (bits <= 53) return true;
  if (bits > 54) return false;
  return (ma * mb) < (<u64>1 << 53);
}

// a + b: the rounding error of the nearest sum (Knuth's TwoSum) is zero iff the sum is exact.
@inline function sumError(a: f64, b: f64, s: f64): f64 {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

export function fastArith(op: u32, a: u64, b: u64, dbl: bool): u64 {
  fastHit = false;
  if ((mxc & 0x6000) != 0) return 0; // not round-to-nearest
  if (op == OP_SUB) {
    b ^= dbl ? 0x8000000000000000 : 0x80000000;
    op = OP_ADD;
  }
  if (!dbl) {
    if (!normal32(<u32>a) || !normal32(<u32>b)) return 0;
    // Binary32 operations done in binary64 and rounded once more are correctly rounded
    // (53 >= 2 * 24 + 2); the binary64 step is exact for products and checked otherwise.
    const x = <f64>reinterpret<f32>(<u32>a);
    const y = <f64>reinterpret<f32>(<u32>b);
    let s: f64;
    let exact: bool;
    if (op == OP_ADD) {
      s = x + y;
      exact = sumError(x, y, s) == 0;
    } else if (op == OP_MUL) {
      s = x * y;
      exact = true;
    } else {
      s = x / y;
      exact = true; // decided below from r * y
    }
    const r = <f32>s;
    const bits = reinterpret<u32>(r);
    const e = (bits >> 23) & 0xff;
    if (e == 0xff || (e < 2 && !(op == OP_ADD && s == 0))) return 0; // only exact cancellation may give 0
    if (op == OP_DIV) exact = <f64>r * y == x; // r * y is exact in binary64
    else exact = exact && <f64>r == s;
    if (!exact) notePost(PE);
    fastHit = true;
    return <u64>bits;
  }
  if (!normal64(a) || !normal64(b)) return 0;
  const x = reinterpret<f64>(a);
  const y = reinterpret<f64>(b);
  let r: f64;
  let exact: bool;
  if (op == OP_ADD) {
    r = x + y;
    exact = sumError(x, y, r) == 0;
  } else if (op == OP_MUL) {
    r = x * y;
    exact = exactProduct64(a, b);
  } else {
    r = x / y;
    exact = false;
  }
  const bits = reinterpret<u64>(r);
  const e = <u32>(bits >> 52) & 0x7ff;
  if (e == 0x7ff || (e < 2 && !(op == OP_ADD && r == 0))) return 0;
  if (op == OP_DIV) exact = exactProduct64(bits, b) && r * y == x;
  if (!exact) notePost(PE);
  fastHit = true;
  return bits;
}
