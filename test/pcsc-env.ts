/**
 * The real PC/SC stack for tests: pcscd with the vsmartcard-vpcd driver (reader "Virtual PCD 00 00"
 * on TCP 35963). `startPcscd()` starts `pcscd --foreground` when none is running and waits until
 * vpcd listens; it adds the quick-ACK route when root. Tests skip with the reason from
 * `pcscMissing()` when the stack is absent — except in CI (`process.env.CI`), where they must run.
 * The same steps for a shell: scripts/pcsc-env.sh.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureQuickackRoute, type QuickackSetup } from '../hal/virtual/quickack.js';

export const VPCD_DRIVER_DIR = '/usr/lib/pcsc/drivers/serial';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

function pcscliteBuilt(): boolean {
  try {
    return existsSync('node_modules/pcsclite/build/Release/pcsclite.node');
  } catch {
    return false;
  }
}

/** Why the PC/SC tests cannot run here, or undefined when they can. */
export function pcscMissing(): string | undefined {
  if (!which('pcscd')) return 'pcscd is not installed (apt-get install pcscd)';
  const hasVpcd = existsSync(VPCD_DRIVER_DIR) && readdirSync(VPCD_DRIVER_DIR).some((f) => f.startsWith('libifdvpcd.so'));
  if (!hasVpcd) return 'the vpcd driver is not installed (apt-get install vsmartcard-vpcd)';
  if (!pcscliteBuilt()) return 'the optional package pcsclite is not built (apt-get install libpcsclite-dev && npm rebuild pcsclite)';
  return undefined;
}

/** True when the skip is allowed (not in CI). */
export const mayskip = !process.env.CI;

/** A live pcscd (zombies, e.g. of a killed test run in a container without init, do not count). */
export function pcscdRunning(): boolean {
  const r = spawnSync('pgrep', ['-x', 'pcscd'], { encoding: 'utf8' });
  if (r.status !== 0) return false;
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .some((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
      } catch {
        return false;
      }
    });
}

export type PcscdHandle = {
  /** The pcscd we started (undefined when one was already running: we never stop that one). */
  child?: ChildProcess;
  quickack: QuickackSetup;
  /** Stops and starts our pcscd again (only when we started it). */
  restart(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

async function waitFor(check: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/**
 * Probing the vpcd port with a connect would be accepted by vpcd as a card, so we wait for the
 * listening socket with `ss` instead, and fall back to a short fixed wait without it.
 */
async function vpcdListening(): Promise<boolean> {
  // pcscd's client socket appears once it serves clients; vpcd's port shortly before.
  if (!existsSync('/run/pcscd/pcscd.comm')) return false;
  const r = spawnSync('ss', ['-ltn', 'sport = :35963'], { encoding: 'utf8' });
  if (r.status !== 0) return true; // no `ss` (iproute2): the socket file is all we can check
  return /35963/.test(r.stdout);
}

export async function startPcscd(): Promise<PcscdHandle> {
  const quickack = await ensureQuickackRoute();
  let child: ChildProcess | undefined;
  const start = async () => {
    if (pcscdRunning()) return;
    child = spawn('pcscd', ['--foreground'], { stdio: 'ignore' });
    child.once('error', () => undefined);
    await waitFor(vpcdListening, 'pcscd with vpcd to listen on 35963');
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    child = undefined;
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([exited, sleep(3000).then(() => c.kill('SIGKILL'))]);
    child = undefined;
  };
  await start();
  const h: PcscdHandle = {
    get child() {
      return child;
    },
    quickack,
    start,
    kill,
    stop,
    async restart() {
      await kill();
      await start();
    },
  };
  return h;
}
