//! The signalling websocket: JSON frames of the protocol crate, events delivered to a callback.

use std::rc::Rc;

use huddle_protocol::{decode, encode, ClientMessage, ServerMessage};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// What the socket reports.
#[derive(Debug, Clone)]
pub enum SocketEvent {
    Open,
    Message(ServerMessage),
    /// The socket closed (server gone, network lost, or [`Signaller::close`]).
    Closed,
}

/// One connection to the server's `/ws`.
pub struct Signaller {
    socket: WebSocket,
    // Kept alive for as long as the socket may call them.
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

/// `ws://host/ws` or `wss://host/ws` for the page's own origin.
pub fn socket_url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let secure = location
        .as_ref()
        .and_then(|l| l.protocol().ok())
        .is_some_and(|p| p == "https:");
    let host = location
        .and_then(|l| l.host().ok())
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    format!("{}://{host}/ws", if secure { "wss" } else { "ws" })
}

impl Signaller {
    pub fn connect(url: &str, on_event: Rc<dyn Fn(SocketEvent)>) -> Result<Self, String> {
        let socket = WebSocket::new(url).map_err(|e| format!("{e:?}"))?;
        let events = on_event.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || events(SocketEvent::Open));
        let events = on_event.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            match decode::<ServerMessage>(&text) {
                Ok(message) => events(SocketEvent::Message(message)),
                Err(error) => {
                    web_sys::console::warn_1(&format!("ignored server frame: {error}").into())
                }
            }
        });
        let events = on_event;
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_| events(SocketEvent::Closed));
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            socket,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends one message; false when the socket is not open.
    pub fn send(&self, message: &ClientMessage) -> bool {
        self.socket.ready_state() == WebSocket::OPEN
            && self.socket.send_with_str(&encode(message)).is_ok()
    }

    pub fn close(&self) {
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}

impl Drop for Signaller {
    fn drop(&mut self) {
        self.close();
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
    }
}
