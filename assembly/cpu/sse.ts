// SSE/SSE2 instructions. Returns false for opcodes this file does not implement (#UD).
export function execSSE(op: u32): bool {
  return false;
}
