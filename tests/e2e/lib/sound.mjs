// A microphone for the fake audio device: a WAV file Chromium plays (in a loop) as the mic.
import { writeFileSync } from 'node:fs';

/**
 * Writes a 16-bit mono WAV at `rate` Hz: `quiet` seconds of silence, `loud` seconds of a
 * 440 Hz tone at `amplitude` (0..1 of full scale), then `tail` seconds of silence.
 */
export function writeToneWav(file, { quiet = 1, loud = 1, tail = 20, amplitude = 0.7, rate = 16_000 } = {}) {
  const total = Math.round((quiet + loud + tail) * rate);
  const data = Buffer.alloc(total * 2);
  const start = Math.round(quiet * rate);
  const end = Math.round((quiet + loud) * rate);
  for (let i = start; i < end; i++) {
    data.writeInt16LE(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([header, data]));
  return file;
}
