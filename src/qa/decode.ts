/**
 * Readable renderings of exchanges for `shanfu trace show` and the HTML report: the command name and
 * its parameters, the GPO data split by the PDOL the card asked for, the response as a TLV tree with
 * tag names and decoded values (amounts, dates, TTQ/CTQ/AIP/TVR bits), and the status word's meaning.
 * Allocates; for people, not for the tap loop.
 */
import { decodeTlv } from '../../kernels/tlv/tree.js';
import { tagName } from '../../kernels/tlv/tags.js';
import { describeValue } from '../../kernels/tlv/describe.js';
import { parseDol } from '../../kernels/emv/dol.js';
import { fromHex, toHex } from '../../kernels/util/hex.js';
import { commandName } from '../cli/apdu-names.js';
import { renderTlvTree } from '../cli/render.js';

const SW_TEXT: Record<string, string> = {
  '9000': 'OK',
  '6283': 'selected file invalidated (application blocked)',
  '6700': 'wrong length',
  '6982': 'security status not satisfied',
  '6983': 'authentication method blocked',
  '6984': 'referenced data invalidated (use another interface)',
  '6985': 'conditions of use not satisfied',
  '6986': 'command not allowed (see phone)',
  '6988': 'incorrect secure messaging data (MAC)',
  '6A80': 'incorrect data',
  '6A81': 'function not supported',
  '6A82': 'file or application not found',
  '6A83': 'record not found',
  '6A84': 'not enough memory space',
  '6A86': 'incorrect P1 P2',
  '6A88': 'referenced data not found',
  '6D00': 'instruction not supported',
  '6E00': 'class not supported',
  '9406': 'transaction not found',
};

/** Meaning of a status word (hex). */
export function statusText(sw: string): string {
  const s = sw.toUpperCase();
  if (SW_TEXT[s]) return SW_TEXT[s];
  if (s.startsWith('61')) return `${parseInt(s.slice(2), 16)} more bytes (GET RESPONSE)`;
  if (s.startsWith('6C')) return `wrong Le: use ${parseInt(s.slice(2), 16)}`;
  if (s.startsWith('63C')) return `verification failed, ${parseInt(s.slice(3), 16)} tries left`;
  return 'unknown status';
}

function valueLines(tag: number, value: Uint8Array, indent: string): string[] {
  const name = tagName(tag) ?? 'unknown tag';
  const lines = [`${indent}${tag.toString(16).toUpperCase()} ${name} (${value.length}): ${toHex(value)}`];
  const meaning = describeValue(tag, value);
  if (meaning) for (const m of meaning.split('\n')) lines.push(`${indent}    ${m}`);
  return lines;
}

/** Tracks what a rendering needs from earlier exchanges (the PDOL of the selected application). */
export class ExchangeDecoder {
  private pdol: string | null = null;

  /** Lines describing one exchange: command, command data, response data, status. */
  describe(c: string, r: string | null, error?: string): string[] {
    const capdu = fromHex(c);
    const lines: string[] = [`${commandName(capdu)}  ${c}`];
    lines.push(...this.commandData(capdu));
    if (r === null) {
      lines.push(`no response: ${error ?? 'the exchange failed'}`);
      return lines;
    }
    if (r.length < 4) {
      lines.push(`response ${r}: shorter than a status word`);
      return lines;
    }
    const sw = r.slice(-4);
    const data = fromHex(r.slice(0, -4));
    lines.push(`status ${sw}: ${statusText(sw)}`);
    if (data.length > 0) {
      try {
        const nodes = decodeTlv(data);
        lines.push(...renderTlvTree(data, nodes, '  ').split('\n'));
        this.notePdol(nodes);
      } catch (e) {
        lines.push(`  response data (${data.length} bytes) is not well-formed TLV: ${(e as Error).message}`);
        lines.push(`  ${toHex(data)}`);
      }
    }
    return lines;
  }

  private notePdol(nodes: ReturnType<typeof decodeTlv>): void {
    for (const n of nodes) {
      if (n.tag === '9F38' && n.value !== undefined) this.pdol = n.value;
      if (n.children) this.notePdol(n.children);
    }
  }

  private commandData(capdu: Uint8Array): string[] {
    if (capdu.length < 5) return [];
    const ins = capdu[1]!;
    const lc = capdu.length > 5 ? capdu[4]! : 0;
    const data = capdu.subarray(5, 5 + lc);
    if (ins === 0xa4 && data.length > 0) {
      const name = describeValue(0x84, data);
      const text = /^[\x20-\x7e]+$/.test(Buffer.from(data).toString('latin1')) ? Buffer.from(data).toString('latin1') : toHex(data);
      return [`  select ${text}${name && name !== text ? ` (${name})` : ''}${capdu[3] === 0x02 ? ', next occurrence' : ''}`];
    }
    if (ins === 0xb2) return [`  record ${capdu[2]} of SFI ${capdu[3]! >> 3}`];
    if (ins === 0xa8 && data.length >= 2 && data[0] === 0x83) {
      const off = data[1] === 0x81 ? 3 : 2;
      const pdolData = data.subarray(off);
      if (!this.pdol) return [`  PDOL data ${toHex(pdolData)}`];
      const out: string[] = ['  PDOL data:'];
      let p = 0;
      try {
        for (const e of parseDol(this.pdol)) {
          out.push(...valueLines(e.tag, pdolData.subarray(p, p + e.length), '    '));
          p += e.length;
        }
      } catch {
        out.push(`    ${toHex(pdolData)} (the card's PDOL is malformed)`);
      }
      return out;
    }
    if (data.length > 0) return [`  data ${toHex(data)}`];
    return [];
  }
}
