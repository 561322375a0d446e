//! What keeps rooms closed and the server standing: passwords, invites, rate
//! limits, version check and malformed or oversized frames.

mod common;

use std::time::Duration;

use common::{start, Client};
use huddle_protocol::{
    ClientMessage, Credential, ErrorCode, InviteToken, RoomId, ServerMessage, MAX_MESSAGE_BYTES,
};
use huddle_server::{Config, RateLimits, HARD_MESSAGE_CAP};
use tokio_tungstenite::tungstenite::Message;

fn password(p: &str) -> Option<Credential> {
    Some(Credential::Password(p.into()))
}

fn invite(token: &InviteToken) -> Option<Credential> {
    Some(Credential::Invite(token.clone()))
}

/// Generous limits, so tests that are not about rate limiting never hit them.
fn relaxed() -> Config {
    Config {
        rate_limits: RateLimits {
            ip_failures_per_minute: 1000,
            room_failures_per_minute: 1000,
            ..RateLimits::default()
        },
        ..Config::default()
    }
}

#[tokio::test]
async fn password_room_needs_the_right_password() {
    let addr = start(relaxed()).await;
    let mut ann = Client::connect(addr).await;
    let room = ann.create("Ann", 4, Some("sesame")).await;
    assert!(room.room.has_password);
    let mut bob = Client::connect(addr).await;
    bob.send_join(&room.id(), "Bob", None).await;
    bob.expect_error(ErrorCode::PasswordRequired).await;
    bob.send_join(&room.id(), "Bob", password("open")).await;
    bob.expect_error(ErrorCode::WrongPassword).await;
    bob.send_join(&room.id(), "Bob", password(&"x".repeat(1000)))
        .await;
    bob.expect_error(ErrorCode::WrongPassword).await;
    let joined = bob.join(&room.id(), "Bob", password("sesame")).await;
    assert_eq!(joined.members.len(), 2);
}

#[tokio::test]
async fn empty_password_means_no_password() {
    let addr = start(relaxed()).await;
    let mut ann = Client::connect(addr).await;
    let room = ann.create("Ann", 4, Some("")).await;
    assert!(!room.room.has_password);
    let mut bob = Client::connect(addr).await;
    bob.join(&room.id(), "Bob", None).await;
}

#[tokio::test]
async fn valid_invite_joins_a_password_room_without_the_password() {
    let addr = start(relaxed()).await;
    let mut ann = Client::connect(addr).await;
    let room = ann.create("Ann", 4, Some("sesame")).await;
    let mut bob = Client::connect(addr).await;
    bob.join(&room.id(), "Bob", invite(&room.invite.token))
        .await;
    // A fresh invite from CreateInvite works too.
    ann.send(&ClientMessage::CreateInvite).await;
    let fresh = loop {
        match ann.recv().await {
            ServerMessage::InviteCreated { invite } => break invite,
            ServerMessage::MemberJoined { .. } => {}
            other => panic!("expected invite_created, got {other:?}"),
        }
    };
    let mut cy = Client::connect(addr).await;
    cy.join(&room.id(), "Cy", invite(&fresh.token)).await;
}

#[tokio::test]
async fn expired_invite_is_refused() {
    // A zero TTL makes every invite expire the moment it is made.
    let config = Config {
        invite_ttl: Duration::ZERO,
        ..relaxed()
    };
    let addr = start(config).await;
    let mut ann = Client::connect(addr).await;
    let room = ann.create("Ann", 4, Some("sesame")).await;
    let mut bob = Client::connect(addr).await;
    bob.send_join(&room.id(), "Bob", invite(&room.invite.token))
        .await;
    bob.expect_error(ErrorCode::InviteExpired).await;
}

#[tokio::test]
async fn invite_expires_after_its_ttl() {
    let config = Config {
        invite_ttl: Duration::from_secs(1),
        ..relaxed()
    };
    let addr = start(config).await;
    let mut ann = Client::connect(addr).await;
    let room = ann.create("Ann", 4, Some("sesame")).await;
    // Expiry has one-second resolution: wait until it has certainly passed.
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    };
    while now() < room.invite.expires_at {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut bob = Client::connect(addr).await;
    bob.send_join(&room.id(), "Bob", invite(&room.invite.token))
        .await;
    bob.expect_error(ErrorCode::InviteExpired).await;
}

#[tokio::test]
async fn tampered_garbage_and_foreign_invites_are_invalid() {
    let addr = start(relaxed()).await;
    let mut ann = Client::connect(addr).await;
    let room = ann.create("Ann", 4, Some("sesame")).await;
    let mut eve = Client::connect(addr).await;
    let other = eve.create("Eve", 4, None).await;
    eve.send(&ClientMessage::LeaveRoom).await;
    assert_eq!(eve.recv().await, ServerMessage::Left);

    let token = &room.invite.token.0;
    // Flip one character in the middle (the expiry/MAC), keeping valid base64url.
    let mut chars: Vec<char> = token.chars().collect();
    chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
    let tampered = InviteToken(chars.into_iter().collect());
    for bad in [
        tampered,
        InviteToken("not-a-token".into()),
        InviteToken(String::new()),
        InviteToken("%%%%".into()),
        InviteToken("A".repeat(5000)),
        // A real invite, but to another room.
        other.invite.token.clone(),
    ] {
        eve.send_join(&room.id(), "Eve", invite(&bad)).await;
        eve.expect_error(ErrorCode::InviteInvalid).await;
    }
    // Invites are checked even for rooms without a password.
    eve.send_join(&other.id(), "Eve", invite(&room.invite.token))
        .await;
    eve.expect_error(ErrorCode::InviteInvalid).await;
}

#[tokio::test]
async fn invite_for_a_closed_room_does_not_open_its_successor() {
    let config = Config {
        empty_room_grace: Duration::from_millis(50),
        ..relaxed()
    };
    let addr = start(config).await;
    let mut ann = Client::connect(addr).await;
    let room = ann.create("Ann", 4, Some("sesame")).await;
    drop(ann);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut bob = Client::connect(addr).await;
    bob.send_join(&room.id(), "Bob", invite(&room.invite.token))
        .await;
    bob.expect_error(ErrorCode::NoSuchRoom).await;
}

#[tokio::test]
async fn failed_joins_per_address_are_rate_limited() {
    let config = Config {
        rate_limits: RateLimits {
            ip_failures_per_minute: 3,
            room_failures_per_minute: 1000,
            ..RateLimits::default()
        },
        ..Config::default()
    };
    let addr = start(config).await;
    let mut ann = Client::connect(addr).await;
    let room = ann.create("Ann", 8, None).await;
    let mut guesser = Client::connect(addr).await;
    let missing = if room.id().as_str() == "12345678" {
        "87654321"
    } else {
        "12345678"
    };
    let missing = RoomId::parse(missing).unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..3 {
        guesser.send_join(&missing, "Guess", None).await;
        guesser.expect_error(ErrorCode::NoSuchRoom).await;
    }
    guesser.send_join(&missing, "Guess", None).await;
    let retry = guesser.expect_error(ErrorCode::TooManyAttempts).await;
    let Some(retry) = retry else {
        panic!("too_many_attempts must say when to retry");
    };
    // One failure comes back every 20 s with a budget of 3 per minute.
    assert!((1..=20).contains(&retry), "retry_after_secs = {retry}");
    // The budget is per address, and every test client is on 127.0.0.1: even
    // a join into an existing room now waits.
    guesser.send_join(&room.id(), "Guess", None).await;
    guesser.expect_error(ErrorCode::TooManyAttempts).await;
}

#[tokio::test]
async fn successful_joins_do_not_spend_the_budget() {
    let config = Config {
        rate_limits: RateLimits {
            ip_failures_per_minute: 2,
            room_failures_per_minute: 2,
            ..RateLimits::default()
        },
        ..Config::default()
    };
    let addr = start(config).await;
    // Many people behind one address join many rooms.
    for _ in 0..10 {
        let mut ann = Client::connect(addr).await;
        let room = ann.create("Ann", 8, Some("pw")).await;
        for _ in 0..3 {
            let mut guest = Client::connect(addr).await;
            // Asking without a password first is not a failure either.
            guest.send_join(&room.id(), "Guest", None).await;
            guest.expect_error(ErrorCode::PasswordRequired).await;
            guest.join(&room.id(), "Guest", password("pw")).await;
        }
    }
}

#[tokio::test]
async fn failed_joins_per_room_are_rate_limited() {
    let config = Config {
        rate_limits: RateLimits {
            ip_failures_per_minute: 1000,
            room_failures_per_minute: 2,
            ..RateLimits::default()
        },
        ..Config::default()
    };
    let addr = start(config).await;
    let mut ann = Client::connect(addr).await;
    let room = ann.create("Ann", 8, Some("sesame")).await;
    let other = Client::connect(addr)
        .await
        .create("Ola", 8, Some("pw"))
        .await;
    let mut guesser = Client::connect(addr).await;
    guesser.send_join(&room.id(), "G", password("a")).await;
    guesser.expect_error(ErrorCode::WrongPassword).await;
    guesser
        .send_join(&room.id(), "G", invite(&InviteToken("x".into())))
        .await;
    guesser.expect_error(ErrorCode::InviteInvalid).await;
    guesser.send_join(&room.id(), "G", password("sesame")).await;
    let retry = guesser.expect_error(ErrorCode::TooManyAttempts).await;
    assert!(retry.is_some_and(|s| s > 0));
    // Other rooms are not affected.
    guesser.send_join(&other.id(), "G", password("b")).await;
    guesser.expect_error(ErrorCode::WrongPassword).await;
}

#[tokio::test]
async fn hello_must_come_first_with_the_right_version() {
    let addr = start(Config::default()).await;
    let mut early = Client::connect_raw(addr).await;
    early.send(&ClientMessage::ListFeatured).await;
    early.expect_error(ErrorCode::MalformedMessage).await;
    early
        .send(&ClientMessage::Hello {
            version: huddle_protocol::PROTOCOL_VERSION,
        })
        .await;
    assert!(matches!(early.recv().await, ServerMessage::Welcome { .. }));
    early.assert_alive().await;

    let mut old = Client::connect_raw(addr).await;
    old.send(&ClientMessage::Hello { version: 0 }).await;
    old.expect_error(ErrorCode::UnsupportedVersion).await;
    assert!(old.closed_within(Duration::from_secs(2)).await);
}

#[tokio::test]
async fn welcome_carries_the_configured_ice_servers() {
    let ice = huddle_server::config::parse_ice_servers(
        r#"[{"urls":["turn:127.0.0.1:3478"],"username":"u","credential":"c"}]"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = Config {
        ice_servers: ice.0.clone(),
        ..Config::default()
    };
    let addr = start(config).await;
    let mut client = Client::connect_raw(addr).await;
    client
        .send(&ClientMessage::Hello {
            version: huddle_protocol::PROTOCOL_VERSION,
        })
        .await;
    match client.recv().await {
        ServerMessage::Welcome { ice_servers, .. } => assert_eq!(ice_servers, ice.0),
        other => panic!("expected welcome, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_frames_get_an_error_and_the_connection_survives() {
    let addr = start(Config::default()).await;
    let mut client = Client::connect(addr).await;
    let bad: Vec<(Message, ErrorCode)> = vec![
        (Message::text("{not json"), ErrorCode::MalformedMessage),
        (
            Message::text(r#"{"type":"dance"}"#),
            ErrorCode::MalformedMessage,
        ),
        (
            Message::text(r#"{"no_type":1}"#),
            ErrorCode::MalformedMessage,
        ),
        (
            Message::text(r#"{"type":"create_room"}"#),
            ErrorCode::MalformedMessage,
        ),
        (Message::text(""), ErrorCode::MalformedMessage),
        (
            Message::binary(vec![1u8, 2, 3]),
            ErrorCode::MalformedMessage,
        ),
        (
            Message::text(format!(
                r#"{{"type":"list_featured","pad":"{}"}}"#,
                "x".repeat(MAX_MESSAGE_BYTES)
            )),
            ErrorCode::MessageTooLarge,
        ),
    ];
    for (frame, code) in bad {
        client.send_frame(frame).await;
        client.expect_error(code).await;
        client.assert_alive().await;
    }
    // Exactly the limit is fine (padding ignored by the decoder).
    let prefix = r#"{"type":"list_featured","pad":""#;
    let pad = MAX_MESSAGE_BYTES - prefix.len() - 2;
    client
        .send_frame(Message::text(format!("{prefix}{}\"}}", "x".repeat(pad))))
        .await;
    assert!(matches!(
        client.recv().await,
        ServerMessage::Featured { .. }
    ));
    // Far beyond the limit the server does not read it at all and closes.
    // (The send itself may fail if the server hangs up while it is written.)
    let _ = futures_util::SinkExt::send(
        &mut client.socket,
        Message::text("x".repeat(HARD_MESSAGE_CAP + 1)),
    )
    .await;
    assert!(client.closed_within(Duration::from_secs(2)).await);
}

#[tokio::test]
async fn flooding_connection_is_slowed_then_dropped() {
    let config = Config {
        rate_limits: RateLimits {
            messages_per_second: 1,
            message_burst: 5,
            ..RateLimits::default()
        },
        ..Config::default()
    };
    let addr = start(config).await;
    let mut client = Client::connect(addr).await; // hello spends one
    for _ in 0..4 {
        client.assert_alive().await;
    }
    client.send(&ClientMessage::ListFeatured).await;
    let retry = client.expect_error(ErrorCode::TooManyAttempts).await;
    assert!(retry.is_some_and(|s| s > 0));
    // Carrying on regardless past the burst size gets the connection closed.
    for _ in 0..10 {
        client.send(&ClientMessage::ListFeatured).await;
    }
    assert!(client.closed_within(Duration::from_secs(2)).await);
}

#[tokio::test]
async fn truncated_and_mangled_messages_never_break_the_connection() {
    let config = Config {
        rate_limits: RateLimits {
            messages_per_second: 10_000,
            message_burst: 10_000,
            ..RateLimits::default()
        },
        ..relaxed()
    };
    let addr = start(config).await;
    let mut client = Client::connect(addr).await;
    let valid = r#"{"type":"join_room","room":"12345678","name":"Bob","credential":{"kind":"invite","value":"AQ"}}"#;
    // Every proper prefix is malformed (or, for a wrong name or number, refused as such).
    for end in 0..valid.len() {
        client.send_frame(Message::text(&valid[..end])).await;
        match client.recv().await {
            ServerMessage::Error { .. } => {}
            other => panic!("prefix {:?} got {other:?}", &valid[..end]),
        }
    }
    // Pseudo-random bytes, as text (lossily) and as binary.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..200 {
        let bytes: Vec<u8> = (0..(i % 97))
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (seed >> 33) as u8
            })
            .collect();
        let frame = if i % 2 == 0 {
            Message::text(String::from_utf8_lossy(&bytes).into_owned())
        } else {
            Message::binary(bytes)
        };
        client.send_frame(frame).await;
        client.expect_error(ErrorCode::MalformedMessage).await;
    }
    client.assert_alive().await;
}
