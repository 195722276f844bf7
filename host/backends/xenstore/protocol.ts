// The XenStore wire protocol (xen/include/public/io/xs_wire.h): message types, the
// 16-byte header, the error strings, the ring-page layout, and the payload helpers
// every request handler uses. Names follow xs_wire.h so it can be read side by side.
//
// Wire strings are handled as latin1 JS strings: one char per byte, so tokens and
// values that are not UTF-8 survive a round trip byte for byte.

export const XS_CONTROL = 0;
export const XS_DIRECTORY = 1;
export const XS_READ = 2;
export const XS_GET_PERMS = 3;
export const XS_WATCH = 4;
export const XS_UNWATCH = 5;
export const XS_TRANSACTION_START = 6;
export const XS_TRANSACTION_END = 7;
export const XS_INTRODUCE = 8;
export const XS_RELEASE = 9;
export const XS_GET_DOMAIN_PATH = 10;
export const XS_WRITE = 11;
export const XS_MKDIR = 12;
export const XS_RM = 13;
export const XS_SET_PERMS = 14;
export const XS_WATCH_EVENT = 15;
export const XS_ERROR = 16;
export const XS_IS_DOMAIN_INTRODUCED = 17;
export const XS_RESUME = 18;
export const XS_SET_TARGET = 19;
/** 20 was XS_RESTRICT, since removed: answered ENOSYS like any unknown type. */
export const XS_RESET_WATCHES = 21;
export const XS_DIRECTORY_PART = 22;
export const XS_INVALID = 0xffff;

/** Header size: u32 type, req_id, tx_id, len (native endian, little on x86). */
export const XSD_HDR_SIZE = 16;
export const XENSTORE_PAYLOAD_MAX = 4096;
export const XENSTORE_ABS_PATH_MAX = 3072;
export const XENSTORE_REL_PATH_MAX = 2048;

/** DOMID_SELF (public/xen.h): IS_DOMAIN_INTRODUCED answers T for it. */
export const DOMID_SELF = 0x7ff0;

// struct xenstore_domain_interface (one 4 KiB page).
export const XENSTORE_RING_SIZE = 1024;
export const RING_REQ = 0;
export const RING_RSP = 1024;
export const RING_REQ_CONS = 2048;
export const RING_REQ_PROD = 2052;
export const RING_RSP_CONS = 2056;
export const RING_RSP_PROD = 2060;
export const RING_SERVER_FEATURES = 2064;
export const RING_CONNECTION = 2068;
export const RING_ERROR = 2072;
export const RING_EVTCHN_PORT = 2076;

export const XENSTORE_SERVER_FEATURE_RECONNECTION = 1;
export const XENSTORE_SERVER_FEATURE_ERROR = 2;
export const XENSTORE_SERVER_FEATURE_WATCHDEPTH = 4;

export const XENSTORE_CONNECTED = 0;
export const XENSTORE_RECONNECT = 1;

export const XENSTORE_ERROR_NONE = 0;
export const XENSTORE_ERROR_COMM = 1;
export const XENSTORE_ERROR_RINGIDX = 2;
export const XENSTORE_ERROR_PROTO = 3;

/** xsd_errors[] in table order; an error reply carries the name plus a NUL. */
export const XSD_ERRORS = [
  "EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM", "ENOSPC", "EIO",
  "ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY", "EAGAIN", "EISCONN", "E2BIG", "EPERM",
] as const;
export type XsErrno = (typeof XSD_ERRORS)[number];

/** A request fails with one of Xen's errno names; the daemon turns it into an XS_ERROR reply. */
export class XsError extends Error {
  readonly errno: XsErrno;
  constructor(errno: XsErrno) {
    super(errno);
    this.errno = errno;
  }
}

export interface XsMessage {
  type: number;
  reqId: number;
  txId: number;
  payload: Uint8Array;
}

export function parseHeader(b: Uint8Array): { type: number; reqId: number; txId: number; len: number } {
  const v = new DataView(b.buffer, b.byteOffset, XSD_HDR_SIZE);
  return { type: v.getUint32(0, true), reqId: v.getUint32(4, true), txId: v.getUint32(8, true), len: v.getUint32(12, true) };
}

/** Header + payload as one byte string, ready for a ring or a socket. */
export function serialize(m: XsMessage): Uint8Array {
  const out = new Uint8Array(XSD_HDR_SIZE + m.payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, m.type >>> 0, true);
  v.setUint32(4, m.reqId >>> 0, true);
  v.setUint32(8, m.txId >>> 0, true);
  v.setUint32(12, m.payload.length, true);
  out.set(m.payload, XSD_HDR_SIZE);
  return out;
}

/** Bytes as a string of the same length, char i = byte i (Node's "latin1" is exactly that). */
export function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");
}

/** The reverse: each char's low 8 bits. */
export function bytes(s: string): Uint8Array {
  const b = Buffer.from(s, "latin1");
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** Strings joined with a NUL after each one: the usual reply shape ("a\0b\0"). */
export function nulJoin(parts: readonly string[]): Uint8Array {
  return bytes(parts.map((p) => p + "\0").join(""));
}

/**
 * The NUL-terminated strings at the start of a payload, as C xenstored's get_strings
 * sees them: bytes after the last NUL are not a string. `count` is every NUL.
 */
export function strings(p: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) {
      out.push(latin1(p.subarray(start, i)));
      start = i + 1;
    }
  }
  return out;
}

/** The only argument: the payload must hold exactly one NUL, at its end (C onearg()). */
export function onearg(p: Uint8Array): string | null {
  if (p.length === 0) return null;
  const nul = p.indexOf(0);
  return nul === p.length - 1 ? latin1(p.subarray(0, nul)) : null;
}

/** C atoi(): leading blanks, a sign, digits; anything else ends it; 0 if none. 32-bit wrap. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(s)!;
  let v = 0;
  for (const c of m[2]!) v = (v * 10 + (c.charCodeAt(0) - 48)) % 0x100000000;
  return (m[1] === "-" ? -v : v) | 0;
}

export function okPayload(): Uint8Array {
  return bytes("OK\0");
}
