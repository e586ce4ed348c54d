/**
 * A tiny scripted terminal for tests: sends C-APDUs to a CardEmulator and decodes the answers.
 * Deliberately naive (no kernel): the tests check the card, not a terminal.
 */
import type { CardEmulator } from '../emulator.js';
import { decodeTlv, type TlvNode } from '../../../kernels/tlv/index.js';
import { concatBytes, fromHex, toHex } from '../../../kernels/util/hex.js';

export type Reply = { data: Uint8Array; sw: number; hex: string };

export type GpoParams = {
  ttq?: string;
  amount?: number;
  currency?: string;
  country?: string;
  date?: string;
  type?: string;
  un?: string;
  df60?: number;
  /** DF69 (SM algorithm support), appended only when given: the card's PDOL must ask for it. */
  df69?: number;
};

/** Terminal values as the PDOL 9F66 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 DF60 orders them. */
export function pdolValues(p: GpoParams = {}): Record<string, string> {
  return {
    '9F66': p.ttq ?? '26000080',
    '9F02': String(p.amount ?? 100).padStart(12, '0'),
    '9F03': '000000000000',
    '9F1A': p.country ?? '0156',
    '95': '0000000000',
    '5F2A': p.currency ?? '0156',
    '9A': p.date ?? '261127',
    '9C': p.type ?? '00',
    '9F37': p.un ?? '11223344',
    DF60: (p.df60 ?? 0).toString(16).padStart(2, '0'),
  };
}

export const PDOL_ORDER = ['9F66', '9F02', '9F03', '9F1A', '95', '5F2A', '9A', '9C', '9F37', 'DF60'];

export function gpoCommand(p: GpoParams = {}): Uint8Array {
  const v = pdolValues(p);
  const data = fromHex(PDOL_ORDER.map((t) => v[t]).join('') + (p.df69 === undefined ? '' : p.df69.toString(16).padStart(2, '0')));
  return concatBytes(fromHex('80A80000'), new Uint8Array([data.length + 2, 0x83, data.length]), data, new Uint8Array([0]));
}

/** Flattens a TLV tree to tag → values (hex), keeping duplicates. */
export function flatten(nodes: TlvNode[], out = new Map<string, string[]>()): Map<string, string[]> {
  for (const n of nodes) {
    if (n.value !== undefined) out.set(n.tag, [...(out.get(n.tag) ?? []), n.value]);
    if (n.children) flatten(n.children, out);
  }
  return out;
}

/** First value of each tag. */
export function tags(data: Uint8Array): Record<string, string> {
  const m = flatten(decodeTlv(data));
  const o: Record<string, string> = {};
  for (const [k, v] of m) o[k] = v[0]!;
  return o;
}

/** Top-level tag order inside the first template. */
export function templateTagOrder(data: Uint8Array): string[] {
  return decodeTlv(data)[0]!.children!.map((c) => c.tag);
}

function tagsOrEmpty(data: Uint8Array): Record<string, string> {
  try {
    return tags(data);
  } catch {
    return {};
  }
}

export class TestTerminal {
  constructor(readonly card: CardEmulator) {}

  send(capdu: string | Uint8Array): Reply {
    const r = this.card.transmit(typeof capdu === 'string' ? fromHex(capdu) : capdu);
    if (!r) throw new Error('card left the field');
    return { data: r.slice(0, r.length - 2), sw: (r[r.length - 2]! << 8) | r[r.length - 1]!, hex: toHex(r) };
  }

  selectPpse(): Reply {
    return this.send('00A404000E325041592E5359532E444446303100');
  }

  select(aid: string, p2 = 0): Reply {
    const a = fromHex(aid);
    return this.send(concatBytes(new Uint8Array([0x00, 0xa4, 0x04, p2, a.length]), a, new Uint8Array([0])));
  }

  gpo(p: GpoParams = {}): Reply {
    return this.send(gpoCommand(p));
  }

  readRecord(sfi: number, rec: number): Reply {
    return this.send(new Uint8Array([0x00, 0xb2, rec, (sfi << 3) | 4, 0]));
  }

  getData(tag: number): Reply {
    return this.send(new Uint8Array([0x80, 0xca, tag >> 8, tag & 0xff, 0]));
  }

  /** AFL → list of [sfi, record, inOda]. */
  static aflRecords(afl: string): [number, number, boolean][] {
    const b = fromHex(afl);
    const out: [number, number, boolean][] = [];
    for (let i = 0; i < b.length; i += 4) for (let r = b[i + 1]!; r <= b[i + 2]!; r++) out.push([b[i]! >> 3, r, r - b[i + 1]! < b[i + 3]!]);
    return out;
  }

  /**
   * PPSE → SELECT (the given AID, or the highest-priority one) → GPO → every AFL record.
   * Stops reading at the first non-9000 record (returned in `recordSw`).
   */
  tap(p: GpoParams & { aid?: string; stopBeforeLast?: boolean } = {}) {
    this.card.powerOn();
    const ppse = this.selectPpse();
    let aid = p.aid;
    if (!aid) {
      const entries = decodeTlv(ppse.data)[0]!.children!.find((c) => c.tag === 'A5')!.children![0]!.children!;
      const apps = entries.map((e) => flatten(e.children!)).map((m) => ({ aid: m.get('4F')![0]!, prio: parseInt(m.get('87')?.[0] ?? '0F', 16) }));
      apps.sort((a, b) => a.prio - b.prio);
      aid = apps[0]!.aid;
    }
    const sel = this.select(aid);
    // A card whose PDOL asks DF69 gets it (default 01: this terminal supports SM).
    const asksDf69 = sel.data.length > 0 && /DF6901$/.test(tagsOrEmpty(sel.data)['9F38'] ?? '');
    const gpo = this.gpo(asksDf69 ? { ...p, df69: p.df69 ?? 1 } : p);
    let g: Record<string, string> = {};
    let gpoMalformed = false;
    try {
      if (gpo.sw === 0x9000) g = tags(gpo.data);
    } catch {
      gpoMalformed = true; // a broken card (malformed-tlv): the caller looks at gpo.data itself
    }
    const records: { sfi: number; rec: number; oda: boolean; reply: Reply }[] = [];
    let recordSw = 0x9000;
    if (g['94']) {
      const list = TestTerminal.aflRecords(g['94']);
      const n = p.stopBeforeLast ? list.length - 1 : list.length;
      for (let i = 0; i < n; i++) {
        const [sfi, rec, oda] = list[i]!;
        const reply = this.readRecord(sfi, rec);
        records.push({ sfi, rec, oda, reply });
        if (reply.sw !== 0x9000) {
          recordSw = reply.sw;
          break;
        }
      }
    }
    return { aid, sel, gpo, g, gpoMalformed, records, recordSw };
  }
}
