// The shipped vision worker wasm (dist/vision_worker_bg.wasm, tract + our kernels, +simd128) gives
// the reference outputs in the browser: the same model inputs that the native tests use, compared
// with onnxruntime's outputs (crates/vision/tests/data). Native tests compare against the same
// references, so wasm and native agree within the sum of the two tolerances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { e2e, launchMember, ROOT } from '../lib/harness.mjs';

const DATA = path.join(ROOT, 'crates/vision/tests/data');
const b64 = (file) => readFileSync(path.join(DATA, file)).toString('base64');

// Every model the worker runs, each through our own convolution kernels (the SIMD paths that
// native tests do not reach). `scale`/`offset`: the input normalisation PROVENANCE.md gives.
const ZERO_ONE = { scale: 1 / 255, offset: 0 };
const MINUS_ONE_ONE = { scale: 1 / 127.5, offset: -1 };
const CASES = [
  { model: 'selfie_segmentation', input: 'astronaut.selfie_segmentation.input.png', norm: ZERO_ONE,
    output: 'activation_10', reference: 'astronaut.selfie_segmentation.activation_10.f32', tolerance: 1e-3 },
  { model: 'selfie_segmentation_landscape', input: 'astronaut.selfie_segmentation_landscape.input.png', norm: ZERO_ONE,
    output: 'segment_back', reference: 'astronaut.selfie_segmentation_landscape.segment_back.f32', tolerance: 1e-3 },
  // Box regressors are in 128-pixel units and reach about ±100: 2e-3 px is far below anything visible.
  { model: 'face_detection_short_range', input: 'astronaut.face_detection_short_range.input.png', norm: MINUS_ONE_ONE,
    output: 'regressors', reference: 'astronaut.face_detection_short_range.regressors.f32', tolerance: 2e-3 },
  { model: 'face_detection_short_range', input: 'astronaut.face_detection_short_range.input.png', norm: MINUS_ONE_ONE,
    output: 'classificators', reference: 'astronaut.face_detection_short_range.classificators.f32', tolerance: 1e-3 },
  // Landmarks are in 192-pixel crop units: 1e-3 px is far below anything visible.
  { model: 'face_landmark', input: 'astronaut.face_crop_192.input.png', norm: ZERO_ONE,
    output: 'conv2d_21', reference: 'astronaut.face_landmark.conv2d_21.f32', tolerance: 1e-3 },
  { model: 'face_landmark_with_attention', input: 'astronaut.face_crop_192.input.png', norm: ZERO_ONE,
    output: 'output_lips', reference: 'astronaut.face_landmark_with_attention.output_lips.f32', tolerance: 1e-3 },
];

test('the shipped worker wasm reproduces the reference model outputs in Chromium', { timeout: 120_000 },
  e2e(async (t, rec) => {
    const m = await launchMember({ recorder: rec, camera: 'missing' });
    await m.page.goto(`${rec.url}/`);
    for (const c of CASES) {
      const r = await m.page.evaluate(async ({ model, input, norm, output, reference }) => {
        const bytesOf = (s) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));
        const mod = await import('/vision_worker.js');
        await mod.default();
        const onnx = new Uint8Array(await (await fetch(`/models/${model}.onnx`)).arrayBuffer());
        const net = new mod.BenchModel(model, onnx);
        const bmp = await createImageBitmap(new Blob([bytesOf(input)], { type: 'image/png' }),
          { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
        const canvas = new OffscreenCanvas(bmp.width, bmp.height);
        const ctx = canvas.getContext('2d');
        ctx.drawImage(bmp, 0, 0);
        const px = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
        const x = new Float32Array(bmp.width * bmp.height * 3);
        for (let i = 0; i < bmp.width * bmp.height; i++) {
          for (let k = 0; k < 3; k++) x[i * 3 + k] = px[i * 4 + k] * norm.scale + norm.offset;
        }
        if (x.length !== net.input_len()) throw new Error(`input ${x.length} != model ${net.input_len()}`);
        net.run(x);
        const names = net.output_names();
        const got = net.output(names.indexOf(output));
        const want = new Float32Array(bytesOf(reference).buffer);
        let maxDiff = 0;
        for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
        return { names, got: got.length, want: want.length, maxDiff };
      }, { model: c.model, input: b64(c.input), norm: c.norm, output: c.output, reference: b64(c.reference) });
      t.diagnostic(`${c.model}.${c.output}: max abs diff ${r.maxDiff.toExponential(2)} over ${r.want} values`);
      assert.ok(r.names.includes(c.output), `${c.model} outputs ${r.names}`);
      assert.equal(r.got, r.want, `${c.model}.${c.output} length`);
      assert.ok(r.maxDiff <= c.tolerance, `${c.model}.${c.output}: max abs diff ${r.maxDiff} > ${c.tolerance}`);
    }
  }));
