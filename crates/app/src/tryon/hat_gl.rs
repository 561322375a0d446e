//! The hat, drawn with WebGL: a fedora built from surfaces of revolution (crown,
//! band, curled brim), placed by `huddle_vision::tryon::hat` and lit from above
//! the camera. It renders into its own canvas at the frame's size; the try-on
//! view then draws that canvas over the frame, so photos and recordings hold it.
//!
//! The projection is orthographic in frame pixels, like the landmarks it follows
//! (x right, y down, z into the screen, smaller z nearer), with a depth test so
//! the crown hides the brim behind it.

use huddle_vision::tryon::hat::HatPlacement;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    HtmlCanvasElement, WebGlBuffer, WebGlProgram, WebGlRenderingContext as Gl, WebGlShader,
    WebGlUniformLocation,
};

const VERTEX: &str = r#"
attribute vec3 a_pos;
attribute vec3 a_normal;
attribute float a_band;
uniform mat4 u_model;
uniform mat3 u_rot;
uniform vec3 u_frame;
varying vec3 v_normal;
varying float v_band;
void main() {
    vec4 p = u_model * vec4(a_pos, 1.0);
    gl_Position = vec4(2.0 * p.x / u_frame.x - 1.0, 1.0 - 2.0 * p.y / u_frame.y,
                       clamp(p.z / u_frame.z, -1.0, 1.0), 1.0);
    v_normal = u_rot * a_normal;
    v_band = a_band;
}
"#;

const FRAGMENT: &str = r#"
precision mediump float;
varying vec3 v_normal;
varying float v_band;
uniform vec3 u_color;
uniform vec3 u_band_color;
void main() {
    vec3 n = normalize(v_normal);
    // Two-sided: the side the camera sees faces it (towards -z).
    if (n.z > 0.0) n = -n;
    vec3 light = normalize(vec3(-0.35, -0.75, -0.55));
    float diffuse = max(dot(n, light), 0.0);
    vec3 base = mix(u_color, u_band_color, step(0.5, v_band));
    gl_FragColor = vec4(base * (0.5 + 0.6 * diffuse), 1.0);
}
"#;

/// Around the hat.
const SEGMENTS: usize = 48;
/// Heads are longer front to back than across.
const DEPTH_STRETCH: f32 = 1.12;

/// The fedora as `(x, y, z, nx, ny, nz, band)` vertices and triangle indices.
pub fn fedora_mesh() -> (Vec<f32>, Vec<u16>) {
    let mut vertices = Vec::new();
    let mut indices = Vec::new();
    // Profiles (radius, height) from the brim's edge inwards and up; y < 0 is up.
    let brim: Vec<(f32, f32)> = (0..=6)
        .map(|i| {
            let t = i as f32 / 6.0;
            let r = 1.0 - 0.38 * t;
            (r, -0.12 * (1.0 - t).powi(2))
        })
        .collect();
    let crown = [
        (0.62, 0.0),
        (0.62, -0.3),
        (0.6, -0.5),
        (0.56, -0.66),
        (0.48, -0.74),
        (0.28, -0.71),
        (0.0, -0.68),
    ];
    let band = [(0.635, 0.01), (0.635, -0.17)];
    revolve(&brim, 0.0, &mut vertices, &mut indices);
    revolve(&crown, 0.0, &mut vertices, &mut indices);
    revolve(&band, 1.0, &mut vertices, &mut indices);
    (vertices, indices)
}

/// Sweeps a (radius, height) profile around the y axis.
fn revolve(profile: &[(f32, f32)], band: f32, vertices: &mut Vec<f32>, indices: &mut Vec<u16>) {
    let base = (vertices.len() / 7) as u16;
    let n = profile.len();
    for (i, &(r, y)) in profile.iter().enumerate() {
        // The profile's tangent, turned outwards, is the normal in the (r, y) plane.
        let (a, b) = (profile[i.saturating_sub(1)], profile[(i + 1).min(n - 1)]);
        let (dr, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dr * dr + dy * dy).sqrt().max(1e-6);
        let (nr, ny) = (-dy / len, dr / len);
        // Orient every normal to the outside/top so lighting reads the same way.
        let (nr, ny) = if nr < 0.0 || (nr == 0.0 && ny > 0.0) {
            (-nr, -ny)
        } else {
            (nr, ny)
        };
        for s in 0..=SEGMENTS {
            let a = s as f32 / SEGMENTS as f32 * std::f32::consts::TAU;
            let (sin, cos) = a.sin_cos();
            vertices.extend_from_slice(&[
                r * cos,
                y,
                r * sin * DEPTH_STRETCH,
                nr * cos,
                ny,
                nr * sin,
                band,
            ]);
        }
    }
    let row = (SEGMENTS + 1) as u16;
    for i in 0..(n as u16 - 1) {
        for s in 0..SEGMENTS as u16 {
            let a = base + i * row + s;
            let b = a + row;
            indices.extend_from_slice(&[a, b, a + 1, a + 1, b, b + 1]);
        }
    }
}

/// `#rrggbb` → linear-ish 0..1 RGB (the shader works in display values).
pub fn rgb(hex: &str) -> [f32; 3] {
    let hex = hex.trim_start_matches('#');
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|c| u8::from_str_radix(c, 16).ok())
            .map_or(0.5, |v| f32::from(v) / 255.0)
    };
    [channel(0), channel(2), channel(4)]
}

pub struct HatRenderer {
    canvas: HtmlCanvasElement,
    gl: Gl,
    program: WebGlProgram,
    _vertices: WebGlBuffer,
    _indices: WebGlBuffer,
    count: i32,
    u_model: Option<WebGlUniformLocation>,
    u_rot: Option<WebGlUniformLocation>,
    u_frame: Option<WebGlUniformLocation>,
    u_color: Option<WebGlUniformLocation>,
    u_band: Option<WebGlUniformLocation>,
}

fn compile(gl: &Gl, kind: u32, source: &str) -> Result<WebGlShader, JsValue> {
    let shader = gl
        .create_shader(kind)
        .ok_or_else(|| JsValue::from_str("no shader"))?;
    gl.shader_source(&shader, source);
    gl.compile_shader(&shader);
    if gl
        .get_shader_parameter(&shader, Gl::COMPILE_STATUS)
        .as_bool()
        .unwrap_or(false)
    {
        Ok(shader)
    } else {
        Err(JsValue::from_str(
            &gl.get_shader_info_log(&shader).unwrap_or_default(),
        ))
    }
}

impl HatRenderer {
    /// A renderer on a new, detached canvas. Fails where WebGL is off.
    pub fn new() -> Result<Self, JsValue> {
        let canvas: HtmlCanvasElement = crate::live::dom::create("canvas")?;
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"premultipliedAlpha".into(), &false.into())?;
        js_sys::Reflect::set(&options, &"preserveDrawingBuffer".into(), &true.into())?;
        js_sys::Reflect::set(&options, &"antialias".into(), &true.into())?;
        let gl: Gl = canvas
            .get_context_with_context_options("webgl", &options)?
            .ok_or_else(|| JsValue::from_str("WebGL is not available in this browser"))?
            .dyn_into()?;
        let program = gl
            .create_program()
            .ok_or_else(|| JsValue::from_str("no program"))?;
        gl.attach_shader(&program, &compile(&gl, Gl::VERTEX_SHADER, VERTEX)?);
        gl.attach_shader(&program, &compile(&gl, Gl::FRAGMENT_SHADER, FRAGMENT)?);
        gl.link_program(&program);
        if !gl
            .get_program_parameter(&program, Gl::LINK_STATUS)
            .as_bool()
            .unwrap_or(false)
        {
            return Err(JsValue::from_str(
                &gl.get_program_info_log(&program).unwrap_or_default(),
            ));
        }
        gl.use_program(Some(&program));

        let (vertices, indices) = fedora_mesh();
        let vbo = gl
            .create_buffer()
            .ok_or_else(|| JsValue::from_str("no buffer"))?;
        gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&vbo));
        gl.buffer_data_with_array_buffer_view(
            Gl::ARRAY_BUFFER,
            &js_sys::Float32Array::from(&vertices[..]),
            Gl::STATIC_DRAW,
        );
        let ibo = gl
            .create_buffer()
            .ok_or_else(|| JsValue::from_str("no buffer"))?;
        gl.bind_buffer(Gl::ELEMENT_ARRAY_BUFFER, Some(&ibo));
        gl.buffer_data_with_array_buffer_view(
            Gl::ELEMENT_ARRAY_BUFFER,
            &js_sys::Uint16Array::from(&indices[..]),
            Gl::STATIC_DRAW,
        );
        let stride = 7 * 4;
        for (name, size, offset) in [("a_pos", 3, 0), ("a_normal", 3, 12), ("a_band", 1, 24)] {
            let loc = gl.get_attrib_location(&program, name);
            if loc >= 0 {
                gl.enable_vertex_attrib_array(loc as u32);
                gl.vertex_attrib_pointer_with_i32(
                    loc as u32,
                    size,
                    Gl::FLOAT,
                    false,
                    stride,
                    offset,
                );
            }
        }
        gl.enable(Gl::DEPTH_TEST);
        gl.depth_func(Gl::LEQUAL);
        Ok(Self {
            u_model: gl.get_uniform_location(&program, "u_model"),
            u_rot: gl.get_uniform_location(&program, "u_rot"),
            u_frame: gl.get_uniform_location(&program, "u_frame"),
            u_color: gl.get_uniform_location(&program, "u_color"),
            u_band: gl.get_uniform_location(&program, "u_band_color"),
            count: indices.len() as i32,
            canvas,
            gl,
            program,
            _vertices: vbo,
            _indices: ibo,
        })
    }

    /// The canvas to draw over the frame after [`HatRenderer::render`].
    pub fn canvas(&self) -> &HtmlCanvasElement {
        &self.canvas
    }

    /// Draws the hat (or nothing, for `None`) at `width × height`.
    pub fn render(&self, width: u32, height: u32, hat: Option<&HatPlacement>, color: [f32; 3]) {
        if self.canvas.width() != width || self.canvas.height() != height {
            self.canvas.set_width(width);
            self.canvas.set_height(height);
        }
        let gl = &self.gl;
        gl.viewport(0, 0, width as i32, height as i32);
        gl.clear_color(0.0, 0.0, 0.0, 0.0);
        gl.clear(Gl::COLOR_BUFFER_BIT | Gl::DEPTH_BUFFER_BIT);
        let Some(hat) = hat else {
            return;
        };
        gl.use_program(Some(&self.program));
        let m = &hat.model_to_frame;
        let r = hat.radius.max(1e-3);
        let rot = [
            m[0] / r,
            m[1] / r,
            m[2] / r,
            m[4] / r,
            m[5] / r,
            m[6] / r,
            m[8] / r,
            m[9] / r,
            m[10] / r,
        ];
        gl.uniform_matrix4fv_with_f32_array(self.u_model.as_ref(), false, m);
        gl.uniform_matrix3fv_with_f32_array(self.u_rot.as_ref(), false, &rot);
        let depth = 4.0 * width.max(height) as f32;
        gl.uniform3f(self.u_frame.as_ref(), width as f32, height as f32, depth);
        gl.uniform3f(self.u_color.as_ref(), color[0], color[1], color[2]);
        // The band: a deep red-brown that reads on every hat colour.
        gl.uniform3f(self.u_band.as_ref(), 0.42, 0.16, 0.14);
        gl.draw_elements_with_i32(Gl::TRIANGLES, self.count, Gl::UNSIGNED_SHORT, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn mesh_indices_stay_inside_the_vertices() {
        let (v, i) = fedora_mesh();
        let n = (v.len() / 7) as u16;
        assert!(i.iter().all(|&k| k < n));
        assert_eq!(i.len() % 3, 0);
        // The crown rises above the brim (y < 0 is up) and the brim is the widest part.
        let ys = v.chunks(7).map(|c| c[1]);
        assert!(ys.fold(0.0f32, f32::min) < -0.6);
        let widest = v.chunks(7).map(|c| c[0].abs()).fold(0.0f32, f32::max);
        assert!((widest - 1.0).abs() < 1e-5);
    }

    #[wasm_bindgen_test]
    fn colours_parse_from_hex() {
        assert_eq!(rgb("#ff0000"), [1.0, 0.0, 0.0]);
        assert_eq!(rgb("bogus"), [0.5, 0.5, 0.5]);
    }
}
