/**
 * Queue depth under a container memory limit (-container-mem-bytes): a loop's queued batches
 * may use at most a quarter of the soft memory target (0.9 × the limit), at max_batch_bytes
 * each, and never more than queue.max_batches. The JavaScript heap itself is sized by the
 * runtime from BUN_JSC_forceRAMSize, which the chart sets from the same limit.
 */
export function queueDepthFor(maxBatches: number, maxBatchBytes: number, memTargetBytes: bigint): number {
  const configured = Math.max(1, maxBatches);
  if (memTargetBytes <= 0n || maxBatchBytes <= 0) return configured;
  const byMemory = Number(memTargetBytes / 4n / BigInt(maxBatchBytes));
  return Math.max(1, Math.min(configured, byMemory));
}
