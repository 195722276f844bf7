// dom0's XenStore client for host code (the toolstack, backends): the libxenstore
// calls, made as requests on a privileged direct connection, so they take the same
// path as a guest's. Failures throw XsError with Xen's errno name.

import type { XenStored } from "./daemon.ts";
import { isChild } from "./paths.ts";
import * as P from "./protocol.ts";
import { XsError } from "./protocol.ts";

export type WatchCallback = (path: string, token: string) => void;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** The calls that may run inside a transaction. */
export interface XsOps {
  read(path: string): string;
  readBytes(path: string): Uint8Array;
  /** The value, or null when the node does not exist. */
  tryRead(path: string): string | null;
  exists(path: string): boolean;
  write(path: string, value: string | Uint8Array): void;
  mkdir(path: string): void;
  rm(path: string): void;
  directory(path: string): string[];
  getPerms(path: string): string[];
  setPerms(path: string, perms: readonly string[]): void;
}

class Ops implements XsOps {
  protected readonly xs: XenStored;
  protected readonly connId: number;
  private readonly txId: number;
  private reqId = 0;

  constructor(xs: XenStored, connId: number, txId: number) {
    this.xs = xs;
    this.connId = connId;
    this.txId = txId;
  }

  protected request(type: number, payload: Uint8Array, txId = this.txId): Uint8Array {
    const reply = this.xs.handle(this.connId, { type, reqId: ++this.reqId, txId, payload });
    if (reply.type === P.XS_ERROR) throw new XsError((P.strings(reply.payload)[0] ?? "EINVAL") as P.XsErrno);
    return reply.payload;
  }

  read(path: string): string {
    return fromUtf8.decode(this.readBytes(path));
  }
  readBytes(path: string): Uint8Array {
    return this.request(P.XS_READ, P.nulJoin([path]));
  }
  tryRead(path: string): string | null {
    try {
      return this.read(path);
    } catch (e) {
      if (e instanceof XsError && e.errno === "ENOENT") return null;
      throw e;
    }
  }
  exists(path: string): boolean {
    return this.tryRead(path) !== null;
  }
  write(path: string, value: string | Uint8Array): void {
    const v = typeof value === "string" ? utf8.encode(value) : value;
    const head = P.bytes(`${path}\0`);
    const payload = new Uint8Array(head.length + v.length);
    payload.set(head);
    payload.set(v, head.length);
    this.request(P.XS_WRITE, payload);
  }
  mkdir(path: string): void {
    this.request(P.XS_MKDIR, P.nulJoin([path]));
  }
  rm(path: string): void {
    this.request(P.XS_RM, P.nulJoin([path]));
  }
  directory(path: string): string[] {
    return P.strings(this.request(P.XS_DIRECTORY, P.nulJoin([path])));
  }
  getPerms(path: string): string[] {
    return P.strings(this.request(P.XS_GET_PERMS, P.nulJoin([path])));
  }
  setPerms(path: string, perms: readonly string[]): void {
    this.request(P.XS_SET_PERMS, P.nulJoin([path, ...perms]));
  }
}

export class HostClient extends Ops {
  private readonly watches: { path: string; token: string; cb: WatchCallback }[] = [];

  constructor(xs: XenStored) {
    const holder: { self?: HostClient } = {};
    const connId = xs.connect({ domid: 0, privileged: true, onEvent: (path, token) => holder.self?.dispatch(path, token) });
    super(xs, connId, 0);
    holder.self = this;
  }

  /** Set a watch; `cb` hears its first event at once, then every change (paths as given: absolute or relative to /local/domain/0). */
  watch(path: string, token: string, cb: WatchCallback): void {
    const w = { path, token, cb };
    this.watches.push(w); // before the request: its first event comes as it completes
    try {
      this.request(P.XS_WATCH, P.nulJoin([path, token]), 0);
    } catch (e) {
      this.watches.splice(this.watches.indexOf(w), 1);
      throw e;
    }
  }

  unwatch(path: string, token: string): void {
    this.request(P.XS_UNWATCH, P.nulJoin([path, token]), 0);
    const i = this.watches.findIndex((w) => w.path === path && w.token === token);
    if (i >= 0) this.watches.splice(i, 1);
  }

  /** Run `fn` in a transaction and commit; redo it on EAGAIN (up to `tries` times). */
  transaction<T>(fn: (t: XsOps) => T, tries = 16): T {
    for (let i = 1; ; i++) {
      const id = Number(P.strings(this.request(P.XS_TRANSACTION_START, P.bytes("\0"), 0))[0]);
      let result: T;
      try {
        result = fn(new Ops(this.xs, this.connId, id));
      } catch (e) {
        this.request(P.XS_TRANSACTION_END, P.bytes("F\0"), id);
        throw e;
      }
      try {
        this.request(P.XS_TRANSACTION_END, P.bytes("T\0"), id);
        return result;
      } catch (e) {
        if (!(e instanceof XsError && e.errno === "EAGAIN") || i >= tries) throw e;
      }
    }
  }

  private dispatch(path: string, token: string): void {
    for (const w of this.watches.slice()) {
      if (w.token !== token) continue;
      const abs = w.path[0] === "/" || w.path[0] === "@" ? w.path : `/local/domain/0/${w.path}`;
      const ev = w.path[0] === "/" || w.path[0] === "@" ? path : `/local/domain/0/${path}`;
      if (isChild(ev, abs, -1)) w.cb(path, token);
    }
  }
}
