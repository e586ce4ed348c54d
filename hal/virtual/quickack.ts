/**
 * The quick-ACK loopback route for the vpcd bridge (../shared/DESIGN.md "The HAL").
 *
 * vpcd sends each message in two segments; with Linux delayed ACKs the second one waits for the
 * ACK of the first, so every exchange costs ~40–48 ms. A dedicated local route with `quickack 1`
 * makes the kernel ACK at once on connections to that address; the bridge then connects to
 * 127.0.0.2 (vpcd listens on all addresses). Measured (`npm run bench -- hal`, SELECT PPSE
 * through pcsclite → pcscd → vpcd → bridge): median 0.1–0.13 ms with the route, 44–46 ms
 * without — nearly all of it on the request leg (vpcd → card), the card and the answer's way
 * back cost ~0.2 ms.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const QUICKACK_HOST = '127.0.0.2';
export const PLAIN_HOST = '127.0.0.1';
const ROUTE = ['route', 'add', 'local', QUICKACK_HOST, 'dev', 'lo', 'table', 'local', 'scope', 'host', 'quickack', '1'];

/** True when the quick-ACK route for 127.0.0.2 exists (reads `ip route`; false when `ip` is missing). */
export async function hasQuickackRoute(): Promise<boolean> {
  try {
    const { stdout } = await run('ip', ['route', 'show', 'table', 'local', `${QUICKACK_HOST}/32`]);
    return /quickack 1/.test(stdout);
  } catch {
    return false;
  }
}

export type QuickackSetup = { host: string; route: boolean; reason?: string };

/**
 * Makes sure the route exists (adding it needs root / CAP_NET_ADMIN) and returns the host the
 * bridge should connect to. Never throws: without the route everything works, only slower.
 */
export async function ensureQuickackRoute(): Promise<QuickackSetup> {
  if (await hasQuickackRoute()) return { host: QUICKACK_HOST, route: true };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { host: PLAIN_HOST, route: false, reason: `not root: run 'sudo ip ${ROUTE.join(' ')}' for ~0.1 ms exchanges instead of ~40 ms` };
  }
  try {
    await run('ip', ROUTE);
  } catch (e) {
    return { host: PLAIN_HOST, route: false, reason: `could not add the quick-ACK route: ${(e as Error).message.trim()}` };
  }
  return (await hasQuickackRoute())
    ? { host: QUICKACK_HOST, route: true }
    : { host: PLAIN_HOST, route: false, reason: 'the quick-ACK route was added but is not visible' };
}

/** Removes the route (for measurements without it); returns false when it was not there or not allowed. */
export async function removeQuickackRoute(): Promise<boolean> {
  try {
    await run('ip', ['route', 'del', 'local', QUICKACK_HOST, 'dev', 'lo', 'table', 'local']);
    return true;
  } catch {
    return false;
  }
}
