//! Keeps docs/protocol.md honest: every example decodes as the message kind
//! its code block says, and every error code (websocket and posts) is documented.

use huddle_protocol::{
    ClientMessage, ErrorCode, Item, NewPost, PeerMessage, Post, PostErrorCode, PostRefusal,
    ServerMessage,
};

fn protocol_doc() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/protocol.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (kind, json) for every ```json KIND block.
fn examples(doc: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_end()) {
            (None, fence) if fence.starts_with("```json") => {
                let kind = fence.trim_start_matches("```json").trim().to_owned();
                current = Some((kind, String::new()));
            }
            (Some(_), "```") => found.extend(current.take()),
            (Some((_, body)), text) => {
                body.push_str(text);
                body.push('\n');
            }
            (None, _) => {}
        }
    }
    found
}

#[test]
fn every_example_decodes() {
    let doc = protocol_doc();
    let examples = examples(&doc);
    assert!(
        examples.len() >= 20,
        "found only {} examples",
        examples.len()
    );
    for (kind, json) in examples {
        let ok = match kind.as_str() {
            "client" => huddle_protocol::decode::<ClientMessage>(&json).map(|_| ()),
            "server" => huddle_protocol::decode::<ServerMessage>(&json).map(|_| ()),
            "peer" => huddle_protocol::decode::<PeerMessage>(&json).map(|_| ()),
            "items" => huddle_protocol::decode::<Vec<Item>>(&json).map(|_| ()),
            "new_post" => huddle_protocol::decode::<NewPost>(&json).map(|post| {
                if let Err(e) = post.validate() {
                    panic!("new_post example is not valid: {e}\n{json}");
                }
            }),
            "post" => huddle_protocol::decode::<Post>(&json).map(|_| ()),
            "posts" => huddle_protocol::decode::<Vec<Post>>(&json).map(|_| ()),
            "post_refusal" => huddle_protocol::decode::<PostRefusal>(&json).map(|_| ()),
            other => panic!("example block of unknown kind {other:?}: {json}"),
        };
        if let Err(e) = ok {
            panic!("{kind} example does not decode: {e}\n{json}");
        }
    }
}

#[test]
fn every_error_code_is_documented() {
    let doc = protocol_doc();
    let codes = [
        ErrorCode::NoSuchRoom,
        ErrorCode::PasswordRequired,
        ErrorCode::WrongPassword,
        ErrorCode::RoomFull,
        ErrorCode::InviteExpired,
        ErrorCode::InviteInvalid,
        ErrorCode::TooManyAttempts,
        ErrorCode::AlreadyInRoom,
        ErrorCode::NotInRoom,
        ErrorCode::UnknownMember,
        ErrorCode::InvalidName,
        ErrorCode::InvalidRoomSettings,
        ErrorCode::MalformedMessage,
        ErrorCode::MessageTooLarge,
        ErrorCode::UnsupportedVersion,
        ErrorCode::ServerBusy,
    ];
    for code in codes {
        let wire = huddle_protocol::encode(&code);
        let row = format!("| `{}` |", wire.trim_matches('"'));
        assert!(
            doc.contains(&row),
            "error code {wire} has no row in the table"
        );
    }
}

#[test]
fn every_post_refusal_code_is_documented_with_its_status() {
    let doc = protocol_doc();
    let codes = [
        PostErrorCode::TooLarge,
        PostErrorCode::WrongType,
        PostErrorCode::TooLong,
        PostErrorCode::Truncated,
        PostErrorCode::BadMetadata,
        PostErrorCode::UnknownItem,
        PostErrorCode::Storage,
        PostErrorCode::NotFound,
    ];
    for code in codes {
        let wire = huddle_protocol::encode(&code);
        let row = format!("| `{}` | {} |", wire.trim_matches('"'), code.http_status());
        assert!(doc.contains(&row), "post refusal {wire} has no row {row:?}");
    }
}
