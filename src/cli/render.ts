/** Human-readable renderings shared by CLI commands. */
import type { TlvNode } from '../../kernels/tlv/tree.js';
import { parseTag } from '../../kernels/tlv/cursor.js';
import { tagName } from '../../kernels/tlv/tags.js';
import { describeValue } from '../../kernels/tlv/describe.js';
import { fromHex } from '../../kernels/util/hex.js';

/** Renders a decoded TLV tree as indented lines: tag, name, length, value and its meaning. */
export function renderTlvTree(_buf: Uint8Array, nodes: TlvNode[], indent = ''): string {
  const lines: string[] = [];
  for (const n of nodes) {
    const tag = parseTag(n.tag);
    const name = tagName(tag) ?? 'unknown tag';
    if (n.children) {
      lines.push(`${indent}${n.tag} ${name} (${n.length})`);
      const inner = renderTlvTree(_buf, n.children, indent + '  ');
      if (inner) lines.push(inner);
    } else {
      lines.push(`${indent}${n.tag} ${name} (${n.length}): ${n.value}`);
      const meaning = describeValue(tag, fromHex(n.value ?? ''));
      if (meaning) for (const m of meaning.split('\n')) lines.push(`${indent}    ${m}`);
    }
  }
  return lines.join('\n');
}
