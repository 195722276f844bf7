// XenStore in the host: the daemon, its ring transport, dom0's client and the
// toolstack's domain keys.

export { XenStored, SERVER_FEATURES, type XenStoredOptions, type ConnectOptions, type RingBinding } from "./daemon.ts";
export { HostClient, type XsOps, type WatchCallback } from "./client.ts";
export { RingTransport, type PageSource, type RingPeer } from "./ring.ts";
export { writeDomainKeys, writeDom0Keys, writeConsoleKeys, releaseDomain, defaultUuid, type DomainKeys } from "./wiring.ts";
export { DEFAULT_QUOTAS, type QuotaLimits } from "./quota.ts";
export * from "./protocol.ts";
