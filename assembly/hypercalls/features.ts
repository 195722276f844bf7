// XENVER_get_features: the XENFEAT_* bits this hypervisor really provides (public/features.h).
// A bit is added here only together with the feature.
export function featureSubmap(idx: u32): u32 {
  if (idx != 0) return 0;
  return 0;
}
