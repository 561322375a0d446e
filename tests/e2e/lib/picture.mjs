// Reading the room's live picture: who is placed where, snapshots of its pixels, and
// silhouettes checked against each person's reference mask.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, waitUntil } from './harness.mjs';

export const preview = (page) => page.getByRole('img', { name: 'Live preview', exact: true });

/** The preview's frame count and where each member was placed (from its data attributes). */
export async function previewState(page) {
  return preview(page).evaluate((c) => ({
    frames: Number(c.dataset.frames || 0),
    fps: Number(c.dataset.fps || 0),
    members: c.dataset.members ? JSON.parse(c.dataset.members) : [],
  }));
}

/** Waits until `page`'s preview places `n` members, each with a picture, and keeps painting. */
export async function waitForEveryone(page, n, ms = 120_000) {
  const first = await waitUntil(`the live preview on ${page.url()} to show ${n} members with pictures`,
    async () => {
      const s = await previewState(page);
      return s.members.length === n && s.members.every((m) => m.drawn) ? s : null;
    }, { ms, every: 250 });
  await waitUntil('the live preview to keep painting', async () =>
    (await previewState(page)).frames > first.frames + 3, { ms: 20_000 });
  return previewState(page);
}

/** Keeps a copy of the preview's pixels in the page under `name`. */
export async function snapshot(page, name) {
  await preview(page).evaluate((c, name) => {
    const g = c.getContext('2d');
    window.__snaps = window.__snaps || {};
    window.__snaps[name] = g.getImageData(0, 0, c.width, c.height).data.slice();
  }, name);
}

export const photos = (page) => page.getByRole('img', { name: 'Photo', exact: true });

/** Keeps a copy of the `nth` photo's pixels (at its natural size) under `name`; returns its size. */
export async function snapshotPhoto(page, nth, name) {
  return photos(page).nth(nth).evaluate(async (img, name) => {
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d', { willReadFrequently: true });
    g.drawImage(img, 0, 0);
    window.__snaps = window.__snaps || {};
    window.__snaps[name] = g.getImageData(0, 0, c.width, c.height).data.slice();
    return [c.width, c.height];
  }, name);
}

/** Share of the preview's pixels within `tol` (sum of channel differences) of `rgb`. */
export async function shareOfColour(page, rgb, tol = 24) {
  return preview(page).evaluate((c, [rgb, tol]) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) <= tol) n++;
    }
    return n / (d.length / 4);
  }, [rgb, tol]);
}

/** Mean saturation (max - min channel, 0..255) of the preview. */
export async function meanSaturation(page) {
  return preview(page).evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let s = 0;
    for (let i = 0; i < d.length; i += 4) s += Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]);
    return s / (d.length / 4);
  });
}

/** Reference masks (MediaPipe, the photo's own size) of the committed photos. */
const MASKS = {
  'astronaut.png': 'crates/vision/tests/data/astronaut.mediapipe.selfie_segmentation.mask.png',
  'grace_hopper.jpg': 'crates/vision/tests/data/grace_hopper.mediapipe.selfie_segmentation.mask.png',
  'portrait_man_upper_body_suit.jpg': 'crates/vision/tests/data/portrait_man_upper_body_suit.mask.png',
};

/**
 * How well the person's silhouette in the picture matches the photo's reference mask.
 * The silhouette is what is not background in two snapshots taken on different plain
 * backgrounds (`snapA` on `bgA`, `snapB` on `bgB`): a background pixel is the backdrop's
 * colour in both, a person pixel (whatever its colour) cannot be both. The mask is mapped
 * the way the fake camera framed the photo (tools/make_y4m.py: cover crop, tall pictures
 * kept at 30 % from the top, then the "live" motion's average 10 % zoom) and then the way the
 * picture placed that frame (`member.frame`, `member.mirror`).
 * `hidden` are rectangles of members drawn above this one: points there are not judged;
 * `others` are every other member's rectangles: the IoU leaves them out.
 * Returns { iou, recall, points, alone }: recall = share of the mask's person points seen as
 * person; `alone` = points judged for the IoU.
 */
export async function silhouetteMatch(page, photo, member, { snapA, snapB, bgA, bgB, hidden = [], others = [], size } = {}) {
  const mask = readFileSync(path.join(ROOT, MASKS[photo])).toString('base64');
  return preview(page).evaluate(async (c, args) => {
    const { mask, member, snapA, snapB, bgA, bgB, hidden, others } = args;
    // The snapshots' size: the preview's, or a photo's.
    const [SW, SH] = args.size || [c.width, c.height];
    const inside = (rects, x, y) => rects.some(([hx, hy, hw, hh]) => x >= hx && x < hx + hw && y >= hy && y < hy + hh);
    const img = new Image();
    img.src = `data:image/png;base64,${mask}`;
    await img.decode();
    const mc = document.createElement('canvas');
    mc.width = img.width; mc.height = img.height;
    const mg = mc.getContext('2d', { willReadFrequently: true });
    mg.drawImage(img, 0, 0);
    const md = mg.getImageData(0, 0, img.width, img.height).data;
    // Camera frame (640x480) -> photo pixel, as make_y4m.py framed it.
    const [W, H] = [640, 480];
    const [iw, ih] = [img.width, img.height];
    let sx0 = 0, sy0 = 0, sw = iw, sh = ih;
    if (iw / ih > W / H) { sw = Math.round(ih * W / H); sx0 = Math.floor((iw - sw) / 2); } else {
      sh = Math.round(iw * H / W);
      const ay = ih > sh * 1.05 ? 0.3 : 0.5;
      sy0 = Math.min(Math.max(0, Math.round(ay * ih - sh / 2)), ih - sh);
    }
    const zoom = 1.1;
    const photoAt = (fx, fy) => {
      const u = 0.5 + (fx / W - 0.5) / zoom, v = 0.5 + (fy / H - 0.5) / zoom;
      const px = Math.min(iw - 1, Math.max(0, Math.floor(sx0 + u * sw)));
      const py = Math.min(ih - 1, Math.max(0, Math.floor(sy0 + v * sh)));
      return md[(py * iw + px) * 4];
    };
    const a = window.__snaps[snapA], b = window.__snaps[snapB];
    const [fx0, fy0, fw, fh] = member.frame;
    const [cx0, cy0, cw, ch] = member.drawn;
    let inter = 0, union = 0, maskOn = 0, seen = 0, points = 0, alone = 0;
    const dbg = document.createElement('canvas');
    dbg.width = SW; dbg.height = SH;
    const dg = dbg.getContext('2d');
    const dd = dg.createImageData(SW, SH);
    for (let y = Math.ceil(cy0); y < cy0 + ch; y += 2) {
      for (let x = Math.ceil(cx0); x < cx0 + cw; x += 2) {
        if (x < 0 || y < 0 || x >= SW || y >= SH) continue;
        if (inside(hidden, x, y)) continue;
        let u = (x - fx0) / fw;
        if (member.mirror) u = 1 - u;
        const v = (y - fy0) / fh;
        const m = photoAt(u * W, v * H);
        // Skip the soft edge of the mask: the video moves it by a few pixels.
        if (m > 40 && m < 215) continue;
        const expected = m >= 215;
        const i = (y * SW + x) * 4;
        const near = (d, rgb) => Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) <= 60;
        // Background shows the first backdrop in one snapshot and the second in the other.
        const observed = !(near(a, bgA) && near(b, bgB));
        points++;
        const k = (y * SW + x) * 4;
        dd.data[k] = expected ? 255 : 0; dd.data[k + 1] = observed ? 255 : 0; dd.data[k + 3] = 255;
        if (expected) { maskOn++; if (observed) seen++; }
        // Where another member's picture overlaps, their person counts as observed too:
        // the silhouette is compared only where this member is alone.
        if (!inside(others, x, y)) {
          alone++;
          if (expected && observed) inter++;
          if (expected || observed) union++;
        }
      }
    }
    dg.putImageData(dd, 0, 0);
    return { iou: union ? inter / union : 0, recall: maskOn ? seen / maskOn : 0, points, alone,
      debug: dbg.toDataURL() };
  }, { mask, member, snapA, snapB, bgA, bgB, hidden, others, size });
}

/**
 * Purple pixels inside `region` (red and blue well above green: the sunglasses effect's
 * lenses; none of the three photos has much of it).
 */
export async function purplePixels(page, region) {
  return preview(page).evaluate((c, region) => {
    const [x, y, w, h] = region.map(Math.round);
    const d = c.getContext('2d').getImageData(x, y, w, h).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] - d[i + 1] >= 15 && d[i + 2] - d[i + 1] >= 30 && d[i + 2] >= 60) n++;
    }
    return n;
  }, region);
}

/** Sticker yellow (the star's fill): bright, warm, little blue. */
const YELLOW_JS = 'const yellow = (d, i) => d[i] > 225 && d[i + 1] > 145 && d[i + 2] < 130 && d[i] - d[i + 2] > 120;';

/**
 * Remembers which preview pixels are yellow, for [`newYellow`]: any pixel yellow in one of
 * `samples` pictures `everyMs` apart, so the people's own yellowish pixels (hair, a badge), which
 * come and go as they move and as the codec reshades them, do not count as new later.
 */
export async function markYellow(page, { samples = 6, everyMs = 200 } = {}) {
  await preview(page).evaluate(async (c, [src, samples, everyMs]) => {
    const yellow = new Function('d', 'i', `${src} return yellow(d, i);`);
    const mark = new Uint8Array(c.width * c.height);
    for (let s = 0; s < samples; s++) {
      if (s) await new Promise((r) => setTimeout(r, everyMs));
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) if (yellow(d, i)) mark[i / 4] = 1;
    }
    window.__yellowMark = mark;
  }, [YELLOW_JS, samples, everyMs]);
}

/**
 * Preview pixels yellow now that were not at [`markYellow`] (inside `region` `[x, y, w, h]` if
 * given): how many, and their centre.
 */
export async function newYellow(page, region) {
  return preview(page).evaluate((c, [src, region]) => {
    const yellow = new Function('d', 'i', `${src} return yellow(d, i);`);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const mark = window.__yellowMark;
    let n = 0; let sx = 0; let sy = 0;
    for (let i = 0; i < d.length; i += 4) {
      const k = i / 4;
      const [x, y] = [k % c.width, Math.floor(k / c.width)];
      if (region && (x < region[0] || y < region[1] || x >= region[0] + region[2] || y >= region[1] + region[3])) continue;
      if (yellow(d, i) && !(mark && mark[k])) {
        n++; sx += k % c.width; sy += Math.floor(k / c.width);
      }
    }
    return { n, cx: n ? sx / n : -1, cy: n ? sy / n : -1 };
  }, [YELLOW_JS, region]);
}

/** Sticker-yellow pixels of the snapshot `name` (see [`snapshotPhoto`]) inside `region`. */
export async function yellowInSnapshot(page, name, width, region) {
  return page.evaluate(([name, width, region, src]) => {
    const yellow = new Function('d', 'i', `${src} return yellow(d, i);`);
    const d = window.__snaps[name];
    const [x0, y0, w, h] = region.map(Math.round);
    let n = 0;
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) if (yellow(d, (y * width + x) * 4)) n++;
    }
    return n;
  }, [name, width, region, YELLOW_JS]);
}
