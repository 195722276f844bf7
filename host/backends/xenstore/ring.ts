// The shared-ring transport between a guest and the daemon: the page of struct
// xenstore_domain_interface (xs_wire.h; docs/misc/xenstore-ring.txt), which the guest
// finds at start_info.store_mfn and signals through start_info.store_evtchn.
//
// The guest writes requests into req[] and advances req_prod; we consume and advance
// req_cons. We write replies and watch events into rsp[] and advance rsp_prod; the
// guest consumes and advances rsp_cons. Indexes are free-running u32s, masked to the
// 1 KiB buffers. A message may be split anywhere: across the buffer's wrap, and
// across several notifications, in both directions.
//
// Everything on this page is guest-controlled and read fresh each time. Indexes that
// claim more than a ring's worth of data, or a header longer than 4096 bytes, break
// the connection as in C xenstored (domain.c readchn/writechn, core.c handle_input):
// the error field says why and the connection is ignored from then on. A guest can
// come back by setting connection = RECONNECT, which drops its watches, transactions
// and queued output and restarts the ring at zero.

import {
  parseHeader,
  RING_CONNECTION,
  RING_ERROR,
  RING_REQ,
  RING_REQ_CONS,
  RING_REQ_PROD,
  RING_RSP,
  RING_RSP_CONS,
  RING_RSP_PROD,
  RING_SERVER_FEATURES,
  XENSTORE_CONNECTED,
  XENSTORE_ERROR_NONE,
  XENSTORE_ERROR_PROTO,
  XENSTORE_ERROR_RINGIDX,
  XENSTORE_PAYLOAD_MAX,
  XENSTORE_RECONNECT,
  XENSTORE_RING_SIZE,
  XSD_HDR_SIZE,
  type XsMessage,
} from "./protocol.ts";

/** The ring page, or a getter for it (a view of wasm memory must be re-taken after the memory grows). */
export type PageSource = DataView | (() => DataView);

export const RING_PAGE_MIN = 2080;

/** One queued outgoing message and how much of it is already on the ring. */
export interface OutItem {
  bytes: Uint8Array;
  used: number;
}

/** The daemon side of one ring connection. */
export interface RingPeer {
  /** Whether the daemon will take another request now (quotas may say wait). */
  mayRead(): boolean;
  deliver(msg: XsMessage): void;
  /** The head of the output queue, or null. */
  outHead(): OutItem | null;
  /** The head is now entirely on the ring. */
  outDone(): void;
  /** The guest broke the protocol (XENSTORE_ERROR_*): stop serving it. */
  fail(error: number): void;
  /** The guest asked to reconnect: drop its watches, transactions and queued output. */
  reconnect(): void;
}

export function resolvePage(p: PageSource): DataView {
  return typeof p === "function" ? p() : p;
}

export class RingTransport {
  private readonly peer: RingPeer;
  private readonly hdr = new Uint8Array(XSD_HDR_SIZE);
  private hdrUsed = 0;
  private head: { type: number; reqId: number; txId: number } | null = null;
  private body = new Uint8Array(0);
  private bodyUsed = 0;
  /** Broken by the guest; nothing is read or written until it reconnects. */
  failed = false;

  constructor(peer: RingPeer) {
    this.peer = peer;
  }

  /** Start clean: zero indexes and error, advertise our features (done when a domain is introduced). */
  static initPage(page: DataView, features: number): void {
    for (const off of [RING_REQ_CONS, RING_REQ_PROD, RING_RSP_CONS, RING_RSP_PROD, RING_ERROR]) page.setUint32(off, 0, true);
    page.setUint32(RING_SERVER_FEATURES, features, true);
  }

  /** Forget a partly received request. */
  reset(): void {
    this.hdrUsed = 0;
    this.head = null;
    this.body = new Uint8Array(0);
    this.bodyUsed = 0;
  }

  /**
   * Serve the ring once: handle a reconnect request, take in every complete request the
   * quotas allow, and write out as much queued output as fits. Calls `notifyGuest` at
   * most once, if an index moved (or a reconnect completed), and returns whether it did.
   */
  service(page: DataView, notifyGuest: () => void): boolean {
    let notify = false;
    if (page.getUint32(RING_CONNECTION, true) === XENSTORE_RECONNECT) {
      this.peer.reconnect();
      this.reset();
      this.failed = false;
      for (const off of [RING_REQ_CONS, RING_REQ_PROD, RING_RSP_CONS, RING_RSP_PROD]) page.setUint32(off, 0, true);
      page.setUint32(RING_ERROR, XENSTORE_ERROR_NONE, true);
      page.setUint32(RING_CONNECTION, XENSTORE_CONNECTED, true);
      notify = true;
    }
    for (;;) {
      if (this.failed) break;
      const r = this.readSome(page);
      const w = this.writeSome(page);
      notify ||= r || w;
      if (!r && !w) break;
    }
    if (notify) notifyGuest();
    return notify;
  }

  /** Write queued output only (after other connections' activity queued events for this guest). */
  flush(page: DataView, notifyGuest: () => void): boolean {
    if (this.failed) return false;
    const w = this.writeSome(page);
    if (w) notifyGuest();
    return w;
  }

  private fail(page: DataView, error: number): void {
    this.failed = true;
    page.setUint32(RING_ERROR, error, true);
    this.peer.fail(error);
  }

  /** Consume request bytes; returns whether req_cons moved. */
  private readSome(page: DataView): boolean {
    let moved = false;
    while (!this.failed && this.peer.mayRead()) {
      const cons = page.getUint32(RING_REQ_CONS, true);
      const prod = page.getUint32(RING_REQ_PROD, true);
      const avail = (prod - cons) >>> 0;
      if (avail > XENSTORE_RING_SIZE) {
        this.fail(page, XENSTORE_ERROR_RINGIDX);
        break;
      }
      if (avail === 0) break;
      const slot = cons & (XENSTORE_RING_SIZE - 1);
      const want = this.head ? this.body.length - this.bodyUsed : XSD_HDR_SIZE - this.hdrUsed;
      const n = Math.min(want, avail, XENSTORE_RING_SIZE - slot);
      const src = new Uint8Array(page.buffer, page.byteOffset + RING_REQ + slot, n);
      if (this.head) {
        this.body.set(src, this.bodyUsed);
        this.bodyUsed += n;
      } else {
        this.hdr.set(src, this.hdrUsed);
        this.hdrUsed += n;
      }
      page.setUint32(RING_REQ_CONS, (cons + n) >>> 0, true);
      moved = true;
      // A message with an empty payload is complete as soon as its header is.
      if (!this.head && this.hdrUsed === XSD_HDR_SIZE) {
        const h = parseHeader(this.hdr);
        if (h.len > XENSTORE_PAYLOAD_MAX) {
          this.fail(page, XENSTORE_ERROR_PROTO);
          break;
        }
        this.head = { type: h.type, reqId: h.reqId, txId: h.txId };
        this.body = new Uint8Array(h.len);
        this.bodyUsed = 0;
      }
      if (this.head && this.bodyUsed === this.body.length) {
        const msg = { ...this.head, payload: this.body };
        this.hdrUsed = 0;
        this.head = null;
        this.body = new Uint8Array(0);
        this.bodyUsed = 0;
        this.peer.deliver(msg);
      }
    }
    return moved;
  }

  /** Produce reply bytes; returns whether rsp_prod moved. */
  private writeSome(page: DataView): boolean {
    let moved = false;
    while (!this.failed) {
      const item = this.peer.outHead();
      if (!item) break;
      const cons = page.getUint32(RING_RSP_CONS, true);
      const prod = page.getUint32(RING_RSP_PROD, true);
      const used = (prod - cons) >>> 0;
      if (used > XENSTORE_RING_SIZE) {
        this.fail(page, XENSTORE_ERROR_RINGIDX);
        break;
      }
      const slot = prod & (XENSTORE_RING_SIZE - 1);
      const n = Math.min(XENSTORE_RING_SIZE - used, XENSTORE_RING_SIZE - slot, item.bytes.length - item.used);
      if (n === 0) break;
      new Uint8Array(page.buffer, page.byteOffset + RING_RSP + slot, n).set(item.bytes.subarray(item.used, item.used + n));
      item.used += n;
      page.setUint32(RING_RSP_PROD, (prod + n) >>> 0, true);
      moved = true;
      if (item.used === item.bytes.length) this.peer.outDone();
    }
    return moved;
  }
}
