// Reading payment QR codes the way a bank app would: zbarimg (Debian's zbar-tools) on a PNG, the
// codes' bytes taken as they are (-Sbinary: no guessing of the charset) and read by the GOST
// R 56042-2014 header's charset (ST00011 windows-1251, ST00012 UTF-8, ST00013 KOI8-R).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** zbarimg's binary output → the codes as text (they follow one another without a separator). */
export function splitCodes(buf) {
  const starts = [];
  for (let i = buf.indexOf('ST0001'); i >= 0; i = buf.indexOf('ST0001', i + 6)) starts.push(i);
  return starts.map((at, k) => {
    const bytes = buf.subarray(at, k + 1 < starts.length ? starts[k + 1] : buf.length);
    const label = { 1: 'windows-1251', 2: 'utf-8', 3: 'koi8-r' }[String.fromCharCode(bytes[6])];
    assert.ok(label, `an unknown charset in ${bytes.subarray(0, 8).toString('latin1')}`);
    return new TextDecoder(label, { fatal: true }).decode(bytes).replace(/\n$/, '');
  });
}

/** The payment QR codes zbarimg finds in a PNG file ([] when none). */
export function decodePng(file) {
  const r = spawnSync('zbarimg', ['--raw', '-q', '-Sbinary', '-Sdisable', '-Sqrcode.enable', file]);
  if (r.error) throw r.error;
  return r.status === 0 ? splitCodes(r.stdout) : [];
}
