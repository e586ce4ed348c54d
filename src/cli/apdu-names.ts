/** Names of the C-APDUs a QuickPass terminal sends (qpboc-facts §1.2, §4.3), for traces and displays. */
export function commandName(capdu: Uint8Array): string {
  if (capdu.length < 4) return 'short APDU';
  const cla = capdu[0]!, ins = capdu[1]!;
  switch (ins) {
    case 0xa4: return capdu[4] === 0x0e && capdu[5] === 0x32 ? 'SELECT PPSE' : 'SELECT';
    case 0xa8: return 'GET PROCESSING OPTIONS';
    case 0xb2: return `READ RECORD ${capdu[2]} SFI ${capdu[3]! >> 3}`;
    case 0xca: return `GET DATA ${((capdu[2]! << 8) | capdu[3]!).toString(16).toUpperCase()}`;
    case 0xb4: return 'READ CAPP DATA';
    case 0xde: return 'UPDATE CAPP DATA CACHE';
    case 0x5a: return 'GET TRANS PROVE';
    case 0x88: return 'INTERNAL AUTHENTICATE';
    case 0xae: return 'GENERATE AC';
    case 0xc0: return 'GET RESPONSE';
    default: return `CLA ${cla.toString(16).padStart(2, '0')} INS ${ins.toString(16).padStart(2, '0')}`.toUpperCase();
  }
}
