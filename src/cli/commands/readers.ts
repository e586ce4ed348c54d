import type { Command } from '../main.js';
import { parseArgs } from '../args.js';

const usage = `usage: shanfu readers [--json] [--hid]

Lists the PC/SC readers pcscd sees: name, kind (contactless / contact / unknown), whether a card
is in the field, its ATR, and the optional capabilities the adapter offers.
  --json   print [{"name","kind","cardPresent","atr","capabilities"}]
  --hid    list the USB-HID devices node-hid sees instead, and whether this user may open each
           (with the udev rule to add when not): [{"id","product","path","access","hint"}]
Needs pcscd and the optional package pcsclite (--hid: the optional package node-hid).`;

export const command: Command = {
  summary: 'list PC/SC readers (kind, card present, ATR, capabilities)',
  usage,
  async run(args) {
    const { options } = parseArgs(args, ['json', 'hid']);
    if (options.hid) return listHid(options.json === true);
    const { openPcsc } = await import('../../../hal/pcsc/index.js');
    const service = await openPcsc(); // a ShanfuError (pcscd or pcsclite missing) is reported by main: exit 2
    try {
      await service.settled(1000);
      const list = service.readers().map((r) => ({ ...r, atr: r.atr ? Buffer.from(r.atr).toString('hex').toUpperCase() : undefined }));
      if (options.json) console.log(JSON.stringify(list));
      else if (list.length === 0) console.log('no readers (is the reader plugged in and its driver installed?)');
      else
        for (const r of list)
          console.log(
            `${r.name}\n  kind: ${r.kind}\n  card: ${r.cardPresent ? `present, ATR ${r.atr ?? '?'}` : 'none'}\n  capabilities: ${r.capabilities.length ? r.capabilities.join(', ') : 'none'}`,
          );
      return 0;
    } finally {
      await service.close();
    }
  },
};

/** `--hid`: USB-HID devices and their access (a ShanfuError without node-hid is reported by main: exit 2). */
async function listHid(json: boolean): Promise<number> {
  const { loadNodeHid, probeHidDevices, NO_HID_HINT } = await import('../../../hal/hid/index.js');
  const list = probeHidDevices(await loadNodeHid());
  if (json) console.log(JSON.stringify(list));
  else if (list.length === 0) console.log(`no USB-HID devices visible (${NO_HID_HINT})`);
  else
    for (const d of list)
      console.log(
        `${d.id} ${d.product ?? ''}${d.manufacturer ? ` (${d.manufacturer})` : ''}\n  path: ${d.path ?? '?'}\n  access: ${d.access}` +
          (d.access === 'denied' ? ` (${d.error})\n  fix: ${d.hint}` : ''),
      );
  return 0;
}
