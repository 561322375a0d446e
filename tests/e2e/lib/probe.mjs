// Reading a saved video with ffprobe (Debian's ffmpeg): codec, size, decoded frames and length.
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
    seconds: lastPacketSeconds(file),
  };
}

/** When the last video packet starts: MediaRecorder's WebM carries no duration in its header. */
function lastPacketSeconds(file) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries',
    'packet=pts_time', '-of', 'csv=p=0', file], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`ffprobe failed on ${file}: ${r.stderr || r.error}`);
  const times = r.stdout.split(/[\s,]+/).filter(Boolean).map(Number).filter(Number.isFinite);
  return times.length ? Math.max(...times) : 0;
}
