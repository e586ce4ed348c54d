import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { ONE_BLOCK_MAX, sha256OneBlock } from './sha256-block.js';

describe('sha256OneBlock (allocation-free single-block SHA-256)', () => {
  const w = new Uint32Array(64);
  const out = new Uint32Array(8);
  const block = new Uint8Array(64);

  const digest = (msg: Uint8Array, words = 8): Uint8Array => {
    block.fill(0xa5); // stale bytes from an earlier message must not leak into the padding
    block.set(msg);
    sha256OneBlock(block, msg.length, w, out, words);
    const d = new Uint8Array(words * 4);
    const v = new DataView(d.buffer);
    for (let i = 0; i < words; i++) v.setUint32(i * 4, out[i]!);
    return d;
  };

  it('matches @noble/hashes sha256 for every length 0–55 with random content', () => {
    let seed = 1;
    for (let len = 0; len <= ONE_BLOCK_MAX; len++) {
      for (let rep = 0; rep < 20; rep++) {
        const msg = new Uint8Array(len);
        for (let i = 0; i < len; i++) msg[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
        expect(digest(msg), `len ${len}`).toEqual(sha256(msg));
      }
    }
  });

  it('FIPS 180-4 example "abc" and the empty message', () => {
    expect(Buffer.from(digest(new TextEncoder().encode('abc'))).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(Buffer.from(digest(new Uint8Array(0))).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('writes only the words asked for (the deny list keeps 2)', () => {
    const msg = new TextEncoder().encode('abc');
    out.fill(0);
    block.set(msg);
    sha256OneBlock(block, 3, w, out, 2);
    expect(Array.from(out.subarray(0, 2))).toEqual([0xba7816bf, 0x8f01cfea]);
    expect(Array.from(out.subarray(2))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
