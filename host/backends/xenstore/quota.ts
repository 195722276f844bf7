// Per-domain quotas and accounting, with C xenstored's defaults (tools/xenstored/domain.c
// hard_quotas[]) and its comparisons, so a guest hits a limit at the same request it
// would on Xen. Quotas bind unprivileged domains only; 0 disables one.
//
// What each guards: nodes a domain owns (ENOSPC), the bytes of one node (ENOSPC),
// permission entries per node (ENOSPC), path length (EINVAL), watches (E2BIG, as C
// xenstored answers), open transactions (ENOSPC), nodes one transaction touches
// (ENOSPC), requests whose replies or caused watch events are still undelivered
// (reading stops), and memory: owned nodes, transaction copies, watches and queued
// output (ENOMEM; reading stops; watch events beyond it are dropped).

export interface QuotaLimits {
  nodes: number;
  watches: number;
  outstanding: number;
  memory: number;
  transactions: number;
  transactionNodes: number;
  nodePermissions: number;
  pathMax: number;
  nodeSize: number;
}

export const DEFAULT_QUOTAS: Readonly<QuotaLimits> = {
  nodes: 1000,
  watches: 128,
  outstanding: 20,
  memory: 2 * 1024 * 1024 + 512 * 1024,
  transactions: 10,
  transactionNodes: 1024,
  nodePermissions: 5,
  pathMax: 2048,
  nodeSize: 2048,
};

/** The quota names C xenstored uses (CONTROL "quota", xenstored -Q). */
export const QUOTA_NAMES: Readonly<Record<keyof QuotaLimits, string>> = {
  nodes: "nodes",
  watches: "watches",
  outstanding: "outstanding",
  memory: "memory",
  transactions: "transactions",
  transactionNodes: "transaction-nodes",
  nodePermissions: "node-permissions",
  pathMax: "path-max",
  nodeSize: "node-size",
};

/** What one domain currently holds. */
export class Account {
  nodes = 0;
  memory = 0;
  watches = 0;
  transactions = 0;
  outstanding = 0;
}

/** The checks, each phrased as C xenstored phrases it. `unpriv` = the domain is bound by quotas. */
export class Quotas {
  readonly limits: QuotaLimits;

  constructor(overrides: Partial<QuotaLimits> = {}) {
    this.limits = { ...DEFAULT_QUOTAS, ...overrides };
  }

  private on(q: number, unpriv: boolean): boolean {
    return unpriv && q > 0;
  }

  /** Creating `extra` more nodes for this owner (C: refuse when owned >= nodes before each one). */
  nodesExceeded(owned: number, extra: number, unpriv: boolean): boolean {
    return this.on(this.limits.nodes, unpriv) && extra > 0 && owned + extra - 1 >= this.limits.nodes;
  }

  /** A commit that leaves the owner with `total` nodes. */
  nodesTotalExceeded(total: number, unpriv: boolean): boolean {
    return this.on(this.limits.nodes, unpriv) && total > this.limits.nodes;
  }

  /** C do_watch: domain_watch(conn) > quota, checked before adding, so quota+1 fit. */
  watchesExceeded(a: Account, unpriv: boolean): boolean {
    return this.on(this.limits.watches, unpriv) && a.watches > this.limits.watches;
  }

  /** C do_transaction_start: domain_transaction_get(conn) > quota, before adding. */
  transactionsExceeded(a: Account, unpriv: boolean): boolean {
    return this.on(this.limits.transactions, unpriv) && a.transactions > this.limits.transactions;
  }

  /** C access_node: trans->nodes + 1 > transaction-nodes. */
  transactionNodesExceeded(touched: number, unpriv: boolean): boolean {
    return this.on(this.limits.transactionNodes, unpriv) && touched + 1 > this.limits.transactionNodes;
  }

  nodeSizeExceeded(size: number, unpriv: boolean): boolean {
    return this.on(this.limits.nodeSize, unpriv) && size > this.limits.nodeSize;
  }

  permsExceeded(n: number, unpriv: boolean): boolean {
    return this.on(this.limits.nodePermissions, unpriv) && n > this.limits.nodePermissions;
  }

  pathMax(unpriv: boolean): number | null {
    return this.on(this.limits.pathMax, unpriv) ? this.limits.pathMax : null;
  }

  /** C domain_chk_quota: refuse when memory would reach the hard limit. */
  memoryExceeded(a: Account, add: number, unpriv: boolean): boolean {
    return this.on(this.limits.memory, unpriv) && add > 0 && a.memory + add >= this.limits.memory;
  }

  /** C domain_can_read: stop reading a guest's ring while it is over either limit. */
  mayRead(a: Account, unpriv: boolean): boolean {
    if (this.on(this.limits.outstanding, unpriv) && a.outstanding >= this.limits.outstanding) return false;
    if (this.on(this.limits.memory, unpriv) && a.memory >= this.limits.memory) return false;
    return true;
  }
}
