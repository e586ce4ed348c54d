// Generates the unrolled feMul / feSqr in sm2-ecc.ts (between the GENERATED markers):
//   node kernels/oda/sm2-ecc.gen.mjs > /tmp/unrolled.ts   and paste.
// Limbs in locals, the 31 product columns, folds of columns 30..16 with
// 2^256 ≡ 2^224 + 2^96 − 2^64 + 1 (column i → i−2, i−10, −(i−12), i−16), one carry pass and
// three short chains for the folded carry.
const L = 16;
function fold(lines) {
  // t16..t30 fold top-down
  for (let i = 30; i >= 16; i--) {
    lines.push(`  t${i-2} += t${i}; t${i-10} += t${i}; t${i-12} -= t${i}; t${i-16} += t${i};`);
  }
  // one carry pass over t0..t15; its carry c out of limb 15 (|c| < 2^36) is folded into limbs 0, 4, 6
  // and 14, and then only those are carried on, in three short independent chains
  // (0→1→2, 4→5→6→7→8, 14→15→fold): limbs end in [−17, 2^16 + 17] (bound in the header).
  lines.push(`  c = 0;`);
  for (let i = 0; i < L; i++) lines.push(`  v = t${i} + c; c = Math.floor(v * INV_RADIX); t${i} = v - c * RADIX;`);
  lines.push(`  t0 += c; t4 -= c; t6 += c; t14 += c;`);
  const step = (i) => lines.push(`  c = Math.floor(t${i} * INV_RADIX); t${i} -= c * RADIX; t${i + 1} += c;`);
  step(0); step(1);
  step(4); step(5); step(6); step(7);
  step(14);
  lines.push(`  c = Math.floor(t15 * INV_RADIX); t15 -= c * RADIX;`);
  lines.push(`  t0 += c; t4 -= c; t6 += c; t14 += c;`);
  for (let i = 0; i < L; i++) lines.push(`  out[${i}] = t${i};`);
}
function mul() {
  const lines = [];
  lines.push(`export function feMul(out: Fe, a: Fe, b: Fe): void {`);
  lines.push(`  const ${Array.from({length:L},(_, i)=>`a${i} = a[${i}]!`).join(', ')};`);
  lines.push(`  const ${Array.from({length:L},(_, i)=>`b${i} = b[${i}]!`).join(', ')};`);
  lines.push(`  let c: number, v: number;`);
  for (let k = 0; k <= 30; k++) {
    const terms = [];
    for (let i = Math.max(0, k - 15); i <= Math.min(15, k); i++) terms.push(`a${i} * b${k-i}`);
    lines.push(`  let t${k} = ${terms.join(' + ')};`);
  }
  fold(lines);
  lines.push(`}`);
  return lines.join('\n');
}
function sqr() {
  const lines = [];
  lines.push(`export function feSqr(out: Fe, a: Fe): void {`);
  lines.push(`  const ${Array.from({length:L},(_, i)=>`a${i} = a[${i}]!`).join(', ')};`);
  lines.push(`  const ${Array.from({length:L-1},(_, i)=>`d${i} = a${i} + a${i}`).join(', ')};`);
  lines.push(`  let c: number, v: number;`);
  for (let k = 0; k <= 30; k++) {
    const terms = [];
    for (let i = Math.max(0, k - 15); i <= Math.min(15, k); i++) {
      const j = k - i;
      if (i < j) terms.push(`d${i} * a${j}`);
      else if (i === j) terms.push(`a${i} * a${i}`);
    }
    lines.push(`  let t${k} = ${terms.join(' + ')};`);
  }
  fold(lines);
  lines.push(`}`);
  return lines.join('\n');
}
console.log(mul() + '\n\n' + sqr());
