// One client of the daemon: a domain's ring, or a direct connection for host code.
// It holds what C xenstored keeps per connection: watches, open transactions, the
// output queue (replies and watch events, in the order the client must see them),
// and whether the guest broke the protocol (then it is ignored until it reconnects).

import type { Asker } from "./permissions.ts";
import type { XsMessage } from "./protocol.ts";
import type { Account } from "./quota.ts";
import type { OutItem, PageSource, RingPeer, RingTransport } from "./ring.ts";
import type { Store } from "./store.ts";
import type { Transaction } from "./transactions.ts";
import type { Watch } from "./watches.ts";

export interface RingBinding {
  page: PageSource;
  notify: () => void;
}

/**
 * Outstanding-request bookkeeping (C pend.ref): a guest's request stays outstanding
 * until its reply and every watch event it caused have been delivered.
 */
export interface RequestRef {
  account: Account;
  events: number;
  replied: boolean;
}

export interface Queued extends OutItem {
  event: boolean;
  /** For events: the payload as latin1, to drop an exact duplicate still waiting. */
  key: string;
  ref: RequestRef | null;
}

/** What a connection needs from its daemon. */
export interface ConnOwner {
  readonly store: Store;
  fromRing(c: Conn, msg: XsMessage): void;
  dequeue(c: Conn): void;
  resetConn(c: Conn): void;
  log(line: string): void;
}

export class Conn implements RingPeer {
  readonly id: number;
  readonly domid: number;
  readonly privileged: boolean;
  /** SET_TARGET: this connection also acts with that domain's rights. */
  target: number | null = null;
  readonly out: Queued[] = [];
  /** How many events with each payload are queued, for the duplicate check without a scan. */
  readonly queuedEvents = new Map<string, number>();
  readonly watches: Watch[] = [];
  readonly transactions = new Map<number, Transaction>();
  nextTxId = 0;
  ignored = false;
  transport: RingTransport | null = null;
  ring: RingBinding | null = null;
  onEvent: ((path: string, token: string) => void) | null = null;
  private readonly owner: ConnOwner;

  constructor(owner: ConnOwner, id: number, domid: number, privileged: boolean) {
    this.owner = owner;
    this.id = id;
    this.domid = domid;
    this.privileged = privileged;
  }

  get asker(): Asker {
    return { domid: this.domid, privileged: this.privileged, target: this.target };
  }

  // RingPeer: what the ring transport asks of us.
  mayRead(): boolean {
    return !this.ignored && this.owner.store.quotas.mayRead(this.owner.store.account(this.domid), !this.privileged);
  }
  deliver(msg: XsMessage): void {
    this.owner.fromRing(this, msg);
  }
  outHead(): OutItem | null {
    return this.out[0] ?? null;
  }
  outDone(): void {
    this.owner.dequeue(this);
  }
  fail(error: number): void {
    this.owner.log(`d${this.domid}: connection ignored, error ${error}`);
    this.ignored = true;
    this.owner.resetConn(this);
  }
  reconnect(): void {
    this.owner.resetConn(this);
    this.ignored = false;
  }
}

export interface DomainRec {
  domid: number;
  /** Global generation when the domain came to exist: older permission entries naming it are ignored. */
  generation: number;
  /** Its connection once introduced. */
  conn: Conn | null;
  shutdown: boolean;
}
