//! Invite links and their QR codes.

use huddle_protocol::{InviteToken, RoomId};
use qrcode::render::svg;
use qrcode::QrCode;

/// The URL that opens the room and joins it without the password.
pub fn invite_url(origin: &str, room: &RoomId, token: &InviteToken) -> String {
    format!(
        "{origin}/room/{room}?invite={}",
        js_sys::encode_uri_component(&token.0)
    )
}

/// The page origin (`https://host:port`), or an empty string outside a browser.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// An `<img src>` data URL holding the QR code of `text` as SVG, or `None` if the text
/// is too long for a QR code.
pub fn qr_data_url(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;charset=utf-8,{}",
        js_sys::encode_uri_component(&image)
    ))
}
