// Operand values: integer and floating-point edge cases mixed with seeded random ones.
import type { Rng } from "./rng.ts";

export function mask(size: number): bigint {
  return (1n << BigInt(size * 8)) - 1n;
}

/** An integer of `size` bytes: edge cases half the time. */
export function intValue(rng: Rng, size: number): bigint {
  const m = mask(size);
  const bits = BigInt(size * 8);
  const sign = 1n << (bits - 1n);
  if (rng.chance(0.5)) {
    const edges = [0n, 1n, 2n, m, m - 1n, sign, sign - 1n, sign + 1n, bits - 1n, bits, bits + 1n, 0x7fn, 0x80n, 0xffn,
      0x100n, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n];
    return rng.pick(edges) & m;
  }
  switch (rng.int(4)) {
    case 0: return rng.u64() & m;
    case 1: return BigInt(rng.int(256)) & m;
    case 2: return (1n << BigInt(rng.int(size * 8))) & m;
    default: return ~(1n << BigInt(rng.int(size * 8))) & m;
  }
}

/** A 64-bit register value whose low `size` bytes are an interesting integer. */
export function regValue(rng: Rng, size: number): bigint {
  const v = intValue(rng, size);
  if (size >= 8) return v;
  const r = rng.int(4);
  const upper = r === 0 ? 0n : r === 1 ? ~mask(size) & ((1n << 64n) - 1n) : rng.u64() & ~mask(size);
  return (upper | v) & ((1n << 64n) - 1n);
}

export function signExtend(v: bigint, size: number): bigint {
  return BigInt.asIntN(size * 8, v);
}

// ---- floating point ----
const F32_EDGES = [
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x40000000, 0x40200000, 0xc0200000,
  0x40600000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fa00000, 0x7fc12345,
  0x00000001, 0x807fffff, 0x007fffff, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x4f000000, 0xcf000000,
  0x4effffff, 0xcf000001, 0x5f000000, 0xdf000000, 0x5effffff, 0x4f800000, 0x3effffff, 0x34000000, 0x33800000,
];
const F64_EDGES = [
  0x0000000000000000n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff0000000000000n, 0x3fe0000000000000n,
  0x3ff8000000000000n, 0x4000000000000000n, 0x4004000000000000n, 0xc004000000000000n, 0x400c000000000000n,
  0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff0000000000001n,
  0xfff0000000000001n, 0x7ff4000000000000n, 0x7ff8000000012345n, 0x0000000000000001n, 0x800fffffffffffffn,
  0x000fffffffffffffn, 0x0010000000000000n, 0x8010000000000000n, 0x7fefffffffffffffn, 0xffefffffffffffffn,
  0x41e0000000000000n, 0xc1e0000000000000n, 0x41dfffffffc00000n, 0xc1e0000000200000n, 0x43e0000000000000n,
  0xc3e0000000000000n, 0x43dfffffffffffffn, 0x41f0000000000000n, 0x3fdfffffffffffffn, 0x47efffffe0000000n,
  0x47f0000000000000n, 0x3810000000000000n, 0x380fffffffffffffn, 0x36a0000000000000n, 0x3ca0000000000000n,
];

export function f32Value(rng: Rng): number {
  if (rng.chance(0.5)) return rng.pick(F32_EDGES) >>> 0;
  switch (rng.int(3)) {
    case 0: return rng.u32();
    case 1: { // a moderate normal number
      const e = 127 + rng.range(-30, 32);
      return ((rng.int(2) << 31) | (e << 23) | (rng.u32() & 0x7fffff)) >>> 0;
    }
    default: { // an integer-valued float
      const v = Math.fround(rng.range(-100000, 100000) + (rng.chance(0.3) ? 0.5 : 0));
      const b = new DataView(new ArrayBuffer(4));
      b.setFloat32(0, v, true);
      return b.getUint32(0, true);
    }
  }
}

export function f64Value(rng: Rng): bigint {
  if (rng.chance(0.5)) return rng.pick(F64_EDGES);
  switch (rng.int(3)) {
    case 0: return rng.u64();
    case 1: {
      const e = BigInt(1023 + rng.range(-60, 64));
      return (BigInt(rng.int(2)) << 63n) | (e << 52n) | (rng.u64() & 0xfffffffffffffn);
    }
    default: {
      const v = rng.range(-100000000, 100000000) + (rng.chance(0.3) ? 0.5 : 0);
      const b = new DataView(new ArrayBuffer(8));
      b.setFloat64(0, v, true);
      return b.getBigUint64(0, true);
    }
  }
}

/** 80-bit extended: 10 bytes little-endian. */
export function f80Value(rng: Rng): Uint8Array {
  let sign = rng.int(2);
  let exp: number;
  let mant: bigint;
  const J = 1n << 63n;
  switch (rng.int(12)) {
    case 0: exp = 0; mant = 0n; break; // zero
    case 1: exp = 0x7fff; mant = J; break; // infinity
    case 2: exp = 0x7fff; mant = J | (1n << 62n) | (rng.chance(0.5) ? 0n : rng.u64() & ((1n << 62n) - 1n)); break; // QNaN
    case 3: exp = 0x7fff; mant = J | ((rng.u64() & ((1n << 62n) - 1n)) | 1n); break; // SNaN
    case 4: exp = 0; mant = rng.u64() & (J - 1n) | 1n; break; // denormal
    case 5: exp = 0; mant = J | (rng.u64() & (J - 1n)); break; // pseudo-denormal
    case 6: exp = rng.range(1, 0x7fff); mant = rng.u64() & (J - 1n); break; // unnormal (invalid operand)
    case 7: exp = 0x3fff; mant = J; break; // 1.0
    case 8: exp = 0x3fff + rng.range(-4, 64); mant = J | (rng.u64() & ~((1n << BigInt(rng.range(1, 63))) - 1n) & (J - 1n)); break;
    case 9: exp = rng.chance(0.5) ? 0x7ffe : 1; mant = J | (rng.chance(0.5) ? J - 1n : 0n); break; // max / min normal
    default: exp = 0x3fff + rng.range(-200, 200); mant = J | (rng.u64() & (J - 1n)); break;
  }
  const b = new Uint8Array(10);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, BigInt.asUintN(64, mant), true);
  dv.setUint16(8, ((sign << 15) | exp) & 0xffff, true);
  return b;
}

/** 16 bytes of lanes of the given type. */
export function xmmValue(rng: Rng, lane: string): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  if (lane === "ps") for (let i = 0; i < 4; i++) dv.setUint32(i * 4, f32Value(rng), true);
  else if (lane === "pd") for (let i = 0; i < 2; i++) dv.setBigUint64(i * 8, f64Value(rng), true);
  else {
    const w = rng.pick([1, 2, 4, 8]);
    for (let i = 0; i < 16 / w; i++) {
      const v = intValue(rng, w);
      for (let k = 0; k < w; k++) b[i * w + k] = Number((v >> BigInt(8 * k)) & 0xffn);
    }
  }
  return b;
}

export function leBytes(v: bigint, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return b;
}

export function readLe(b: Uint8Array, off: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[off + i] ?? 0);
  return v;
}
