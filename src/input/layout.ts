import type { Hex, StorageVariable } from '../types.js';

/**
 * solc's `storageLayout` output (`{ storage: [{ label, slot: "3", offset, type: "t_uint256" }], types }`) as
 * StorageVariables: slots as 32-byte words, types as solc's human labels (`mapping(address => uint256)`).
 * Returns null for anything that is not a storage layout.
 */
export function parseStorageLayout(layout: unknown): StorageVariable[] | null {
  if (!layout || typeof layout !== 'object') return null;
  const l = layout as { storage?: unknown; types?: Record<string, { label?: string }> | null };
  if (!Array.isArray(l.storage)) return null;
  const out: StorageVariable[] = [];
  for (const v of l.storage) {
    if (!v || typeof v.label !== 'string' || v.slot === undefined) continue;
    const slot = BigInt(v.slot);
    out.push({
      label: v.label,
      slot: `0x${slot.toString(16).padStart(64, '0')}` as Hex,
      offset: Number(v.offset ?? 0),
      type: l.types?.[v.type]?.label ?? String(v.type),
    });
  }
  return out;
}
