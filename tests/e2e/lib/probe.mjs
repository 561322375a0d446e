// Reading a saved video with ffprobe (Debian's ffmpeg): codec, size and decoded frames.
import { spawnSync } from 'node:child_process';

/** Decodes every frame of `file`'s first video stream; throws when ffprobe cannot. */
export function probeVideo(file) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames',
    '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', file],
  { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`ffprobe failed on ${file}: ${r.stderr || r.error}`);
  const [stream] = JSON.parse(r.stdout).streams || [];
  if (!stream) throw new Error(`ffprobe found no video stream in ${file}`);
  return {
    codec: stream.codec_name,
    width: Number(stream.width),
    height: Number(stream.height),
    frames: Number(stream.nb_read_frames),
  };
}
