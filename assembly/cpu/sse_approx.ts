// rcpps/rcpss and rsqrtps/rsqrtss: the SSE reciprocal approximations. The architecture only
// bounds their error (|relative error| <= 1.5 * 2^-12) and each vendor uses its own tables, so
// these compute the correctly rounded value, which is within the bound; the differential
// tests compare them with that tolerance (tables/x86-forms.mjs "approx").
// As on the reference processor, MXCSR plays no part: no flags, no exceptions, DAZ/FZ
// ignored, yet denormal inputs count as zero and rcp's denormal results flush to zero.
import { srcOperand, xreg, AL_MM } from "./sse_operand";
import { sseReady } from "./sse_mxcsr";

const SIGN: u32 = 0x80000000;
const INF: u32 = 0x7f800000;
const QNAN_BIT: u32 = 0x400000;
const INDEFINITE: u32 = 0xffc00000;

function rcp(x: u32): u32 {
  const sign = x & SIGN;
  const e = (x >> 23) & 0xff;
  if (e == 0xff) return (x & 0x7fffff) != 0 ? x | QNAN_BIT : sign; // NaN quieted; 1/±inf = ±0
  if (e == 0) return sign | INF; // ±0 and denormals
  const r = reinterpret<u32>(<f32>(1.0 / <f64>reinterpret<f32>(x)));
  return (r & INF) == 0 ? sign : r; // a denormal result flushes to zero
}

function rsqrt(x: u32): u32 {
  const sign = x & SIGN;
  const e = (x >> 23) & 0xff;
  if (e == 0xff && (x & 0x7fffff) != 0) return x | QNAN_BIT;
  if (e == 0) return sign | INF; // ±0 and denormals: ±inf
  if (sign != 0) return INDEFINITE;
  if (e == 0xff) return 0; // +inf
  return reinterpret<u32>(<f32>(1.0 / Math.sqrt(<f64>reinterpret<f32>(x))));
}

// 0F 52 rsqrtps (F3: rsqrtss), 0F 53 rcpps (F3: rcpss). p: mandatory prefix class (0 or 3).
export function approxInsn(b: u32, p: u32): bool {
  if (p != 0 && p != 3) return false;
  if (!sseReady()) return true;
  const scalar = p == 3;
  const src = srcOperand(scalar ? 4 : 16, AL_MM);
  if (src == 0) return true;
  const dst = xreg();
  const n: u32 = scalar ? 1 : 4;
  // Read every source lane before writing: src may be dst.
  const a0 = load<u32>(src), a1 = load<u32>(src, 4), a2 = load<u32>(src, 8), a3 = load<u32>(src, 12);
  const isRcp = b == 0x53;
  store<u32>(dst, isRcp ? rcp(a0) : rsqrt(a0));
  if (n == 1) return true;
  store<u32>(dst, isRcp ? rcp(a1) : rsqrt(a1), 4);
  store<u32>(dst, isRcp ? rcp(a2) : rsqrt(a2), 8);
  store<u32>(dst, isRcp ? rcp(a3) : rsqrt(a3), 12);
  return true;
}
