#!/usr/bin/env bash
# Makes the two demo product videos the feed ships with (public/demo/*.webm) from the
# public-domain portraits in tests/e2e/fixtures and the bundled DejaVu font. Run once by hand
# (needs ffmpeg with libvpx, Debian's `ffmpeg` package); the outputs are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
FONT=public/fonts/DejaVuSans-Bold.ttf
OUT=public/demo
mkdir -p "$OUT"
W=360 H=640 SECONDS_LONG=6 FPS=24

# Lipstick: Grace Hopper's portrait, slowly zoomed, with the product name and its eight shades.
ffmpeg -y -loglevel error -loop 1 -i tests/e2e/fixtures/grace_hopper.jpg -t "$SECONDS_LONG" -filter_complex "
  [0:v]scale=$W:-2,crop=$W:420:0:20,zoompan=z='1+0.0015*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=${W}x420:fps=$FPS[photo];
  color=c=0xf6efe9:s=${W}x${H}:r=$FPS:d=$SECONDS_LONG[bg];
  [bg][photo]overlay=0:70,
  drawtext=fontfile=$FONT:text='Velvet lipstick':fontcolor=0x3b1f2b:fontsize=30:x=(w-tw)/2:y=22,
  drawbox=x=20:y=510:w=32:h=32:c=0xb0122b:t=fill, drawbox=x=62:y=510:w=32:h=32:c=0xe8554e:t=fill,
  drawbox=x=104:y=510:w=32:h=32:c=0xc75b7a:t=fill, drawbox=x=146:y=510:w=32:h=32:c=0x7b1f4b:t=fill,
  drawbox=x=188:y=510:w=32:h=32:c=0xb9776b:t=fill, drawbox=x=230:y=510:w=32:h=32:c=0x5e2750:t=fill,
  drawbox=x=272:y=510:w=32:h=32:c=0xd2042d:t=fill, drawbox=x=314:y=510:w=32:h=32:c=0x915f6d:t=fill,
  drawtext=fontfile=$FONT:text='8 shades · matte or gloss':fontcolor=0x3b1f2b:fontsize=20:x=(w-tw)/2:y=560,
  format=yuv420p" -c:v libvpx -b:v 400k -deadline good -cpu-used 4 -an "$OUT/lipstick.webm"

# Hat: a fedora drawn in boxes over a warm background, turning colour every 1.5 s.
ffmpeg -y -loglevel error -f lavfi -i "color=c=0xe9eef4:s=${W}x${H}:r=$FPS:d=$SECONDS_LONG" -vf "
  drawbox=x=60:y=330:w=240:h=26:c=0x36454f:t=fill:enable='lt(t,1.5)',
  drawbox=x=110:y=230:w=140:h=104:c=0x36454f:t=fill:enable='lt(t,1.5)',
  drawbox=x=60:y=330:w=240:h=26:c=0xc19a6b:t=fill:enable='between(t,1.5,3)',
  drawbox=x=110:y=230:w=140:h=104:c=0xc19a6b:t=fill:enable='between(t,1.5,3)',
  drawbox=x=60:y=330:w=240:h=26:c=0x1f2a44:t=fill:enable='between(t,3,4.5)',
  drawbox=x=110:y=230:w=140:h=104:c=0x1f2a44:t=fill:enable='between(t,3,4.5)',
  drawbox=x=60:y=330:w=240:h=26:c=0xbfae8f:t=fill:enable='gte(t,4.5)',
  drawbox=x=110:y=230:w=140:h=104:c=0xefe6d2:t=fill:enable='gte(t,4.5)',
  drawbox=x=110:y=304:w=140:h=14:c=0x8a2f2f:t=fill,
  drawtext=fontfile=$FONT:text='Fedora hat':fontcolor=0x1f2a44:fontsize=32:x=(w-tw)/2:y=60,
  drawtext=fontfile=$FONT:text='4 colours · try it on':fontcolor=0x1f2a44:fontsize=20:x=(w-tw)/2:y=430,
  format=yuv420p" -c:v libvpx -b:v 300k -deadline good -cpu-used 4 -an "$OUT/hat.webm"
ls -la "$OUT"
