//! Rooms over the websocket: create, join, leave, order, relaying, featured
//! list, closing.

mod common;

use std::time::Duration;

use common::{name, start, Client};
use huddle_protocol::{ClientMessage, ErrorCode, MemberId, PeerSignal, RoomId, ServerMessage};
use huddle_server::Config;

fn offer(sdp: &str) -> PeerSignal {
    PeerSignal::Description {
        sdp_type: "offer".into(),
        sdp: sdp.into(),
    }
}

#[tokio::test]
async fn create_join_leave_keep_order_and_tell_the_others() {
    let addr = start(Config::default()).await;
    let mut ann = Client::connect(addr).await;
    let mut bob = Client::connect(addr).await;
    let mut cy = Client::connect(addr).await;

    let created = ann.create("Ann", 4, None).await;
    assert_eq!(created.room.member_limit, 4);
    assert!(!created.room.has_password);
    assert_eq!(created.id().as_str().len(), 8);
    assert_eq!(created.members.len(), 1);
    assert!(created.members[0].is_creator);
    assert_eq!(created.members[0].id, created.you);
    assert!(created.invite.expires_at > 0);

    let bob_joined = bob.join(&created.id(), "Bob", None).await;
    let names: Vec<_> = bob_joined.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Ann", "Bob"]);
    assert!(!bob_joined.members[1].is_creator);
    assert_eq!(bob_joined.members[1].id, bob_joined.you);
    match ann.recv().await {
        ServerMessage::MemberJoined { member } => {
            assert_eq!(member.id, bob_joined.you);
            assert_eq!(member.name.as_str(), "Bob");
            assert!(!member.is_creator);
        }
        other => panic!("expected member_joined, got {other:?}"),
    }

    let cy_joined = cy.join(&created.id(), "Cy", None).await;
    let ids: Vec<_> = cy_joined.members.iter().map(|m| m.id).collect();
    assert_eq!(ids, [created.you, bob_joined.you, cy_joined.you]);
    for other in [&mut ann, &mut bob] {
        assert!(
            matches!(other.recv().await, ServerMessage::MemberJoined { member } if member.id == cy_joined.you)
        );
    }

    bob.send(&ClientMessage::LeaveRoom).await;
    assert_eq!(bob.recv().await, ServerMessage::Left);
    for other in [&mut ann, &mut cy] {
        assert_eq!(
            other.recv().await,
            ServerMessage::MemberLeft {
                member: bob_joined.you
            }
        );
    }
    // Bob is free to go elsewhere; leaving twice is an error.
    bob.send(&ClientMessage::LeaveRoom).await;
    bob.expect_error(ErrorCode::NotInRoom).await;
    let rejoined = bob.join(&created.id(), "Bob", None).await;
    let names: Vec<_> = rejoined.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Ann", "Cy", "Bob"]);
    assert_ne!(rejoined.you, bob_joined.you, "each join gets a fresh id");
}

#[tokio::test]
async fn closing_the_socket_removes_the_member_quickly() {
    let addr = start(Config::default()).await;
    let mut ann = Client::connect(addr).await;
    let mut bob = Client::connect(addr).await;
    let room = ann.create("Ann", 2, None).await;
    let bob_joined = bob.join(&room.id(), "Bob", None).await;
    let _ = ann.recv().await; // member_joined
    drop(bob);
    match ann.try_recv(Duration::from_secs(1)).await {
        Some(ServerMessage::MemberLeft { member }) => assert_eq!(member, bob_joined.you),
        other => panic!("expected member_left within 1 s, got {other:?}"),
    }
    // The slot is free again.
    let mut cy = Client::connect(addr).await;
    cy.join(&room.id(), "Cy", None).await;
}

#[tokio::test]
async fn silent_client_is_dropped_by_heartbeat() {
    let config = Config {
        heartbeat_interval: Duration::from_millis(100),
        heartbeat_timeout: Duration::from_millis(300),
        ..Config::default()
    };
    let addr = start(config).await;
    let mut ann = Client::connect(addr).await;
    let mut bob = Client::connect(addr).await;
    let room = ann.create("Ann", 2, None).await;
    let bob_joined = bob.join(&room.id(), "Bob", None).await;
    let _ = ann.recv().await; // member_joined
                              // Bob stops reading, so his client never answers the server's pings;
                              // Ann keeps reading and so keeps answering.
    match ann.try_recv(Duration::from_secs(3)).await {
        Some(ServerMessage::MemberLeft { member }) => assert_eq!(member, bob_joined.you),
        other => panic!("expected member_left after the heartbeat timeout, got {other:?}"),
    }
    drop(bob);
}

#[tokio::test]
async fn full_room_and_bad_settings_are_refused() {
    let addr = start(Config::default()).await;
    let mut ann = Client::connect(addr).await;
    let mut bob = Client::connect(addr).await;
    let mut cy = Client::connect(addr).await;
    let room = ann.create("Ann", 2, None).await;
    bob.join(&room.id(), "Bob", None).await;
    cy.send_join(&room.id(), "Cy", None).await;
    cy.expect_error(ErrorCode::RoomFull).await;

    for limit in [0, 1, 9, 255] {
        cy.send(&ClientMessage::CreateRoom {
            name: name("Cy"),
            member_limit: limit,
            password: None,
            featured: false,
        })
        .await;
        cy.expect_error(ErrorCode::InvalidRoomSettings).await;
    }
    cy.send(&ClientMessage::CreateRoom {
        name: name("Cy"),
        member_limit: 8,
        password: Some("x".repeat(65)),
        featured: false,
    })
    .await;
    cy.expect_error(ErrorCode::InvalidRoomSettings).await;
    let own = cy.create("Cy", 8, None).await;
    assert_eq!(own.room.member_limit, 8);

    // Already in a room: neither create nor join.
    cy.send(&ClientMessage::CreateRoom {
        name: name("Cy"),
        member_limit: 2,
        password: None,
        featured: false,
    })
    .await;
    cy.expect_error(ErrorCode::AlreadyInRoom).await;
    cy.send_join(&room.id(), "Cy", None).await;
    cy.expect_error(ErrorCode::AlreadyInRoom).await;
}

#[tokio::test]
async fn unknown_room_and_bad_name_are_refused() {
    let addr = start(Config::default()).await;
    let mut ann = Client::connect(addr).await;
    let mut bob = Client::connect(addr).await;
    let room = ann.create("Ann", 4, None).await;
    let other = if room.id().as_str() == "12345678" {
        "87654321"
    } else {
        "12345678"
    };
    bob.send_join(
        &RoomId::parse(other).unwrap_or_else(|e| panic!("{e}")),
        "Bob",
        None,
    )
    .await;
    bob.expect_error(ErrorCode::NoSuchRoom).await;
    // Names are checked while decoding; too long or blank get invalid_name.
    let long_name = format!(
        r#"{{"type":"join_room","room":"{}","name":"{}"}}"#,
        room.id(),
        "x".repeat(33)
    );
    bob.send_frame(long_name.into()).await;
    bob.expect_error(ErrorCode::InvalidName).await;
    bob.send_frame(
        format!(
            r#"{{"type":"join_room","room":"{}","name":"   "}}"#,
            room.id()
        )
        .into(),
    )
    .await;
    bob.expect_error(ErrorCode::InvalidName).await;
    bob.send_frame(r#"{"type":"join_room","room":"123","name":"Bob"}"#.into())
        .await;
    bob.expect_error(ErrorCode::NoSuchRoom).await;
    bob.join(&room.id(), "Bob", None).await;
}

#[tokio::test]
async fn signals_are_relayed_only_within_a_room() {
    let addr = start(Config::default()).await;
    let mut ann = Client::connect(addr).await;
    let mut bob = Client::connect(addr).await;
    let mut eve = Client::connect(addr).await;
    let room = ann.create("Ann", 4, None).await;
    let bob_joined = bob.join(&room.id(), "Bob", None).await;
    let _ = ann.recv().await; // member_joined
    let eve_room = eve.create("Eve", 4, None).await;

    ann.send(&ClientMessage::Signal {
        to: bob_joined.you,
        signal: offer("v=0 ann"),
    })
    .await;
    assert_eq!(
        bob.recv().await,
        ServerMessage::Signal {
            from: room.you,
            signal: offer("v=0 ann"),
        }
    );
    let candidate = PeerSignal::Candidate {
        candidate: "candidate:1 1 udp 1 127.0.0.1 5000 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
    };
    bob.send(&ClientMessage::Signal {
        to: room.you,
        signal: candidate.clone(),
    })
    .await;
    assert_eq!(
        ann.recv().await,
        ServerMessage::Signal {
            from: bob_joined.you,
            signal: candidate,
        }
    );

    // Eve is in another room: she can neither send to Ann nor be reached.
    eve.send(&ClientMessage::Signal {
        to: room.you,
        signal: offer("v=0 eve"),
    })
    .await;
    eve.expect_error(ErrorCode::UnknownMember).await;
    ann.send(&ClientMessage::Signal {
        to: eve_room.you,
        signal: offer("v=0 ann"),
    })
    .await;
    ann.expect_error(ErrorCode::UnknownMember).await;
    ann.send(&ClientMessage::Signal {
        to: MemberId(u64::MAX),
        signal: offer("v=0"),
    })
    .await;
    ann.expect_error(ErrorCode::UnknownMember).await;
    assert_eq!(eve.try_recv(Duration::from_millis(200)).await, None);
    assert_eq!(ann.try_recv(Duration::from_millis(50)).await, None);

    // Outside any room there is nobody to signal.
    let mut loner = Client::connect(addr).await;
    loner
        .send(&ClientMessage::Signal {
            to: room.you,
            signal: offer("v=0"),
        })
        .await;
    loner.expect_error(ErrorCode::NotInRoom).await;
}

#[tokio::test]
async fn featured_list_shows_occupied_featured_rooms_in_creation_order() {
    let config = Config {
        empty_room_grace: Duration::from_secs(60),
        ..Config::default()
    };
    let addr = start(config).await;
    let mut hosts = Vec::new();
    let mut ids = Vec::new();
    for (i, (featured, password)) in [
        (true, None),
        (false, None),
        (true, Some("pw")),
        (true, None),
    ]
    .into_iter()
    .enumerate()
    {
        let mut host = Client::connect(addr).await;
        host.send(&ClientMessage::CreateRoom {
            name: name(&format!("Host {i}")),
            member_limit: 3 + i as u8,
            password: password.map(str::to_owned),
            featured,
        })
        .await;
        let joined = host.expect_joined().await;
        assert_eq!(joined.room.featured, featured);
        ids.push(joined.id());
        hosts.push(host);
    }
    // A guest joins room 0, then the host of room 0 leaves: the guest becomes host.
    let mut guest = Client::connect(addr).await;
    guest.join(&ids[0], "Guest", None).await;
    assert!(matches!(
        hosts[0].recv().await,
        ServerMessage::MemberJoined { .. }
    ));
    hosts[0].send(&ClientMessage::LeaveRoom).await;
    assert_eq!(hosts[0].recv().await, ServerMessage::Left);
    // Room 3 empties: it stays open for the grace period but is not listed.
    hosts[3].send(&ClientMessage::LeaveRoom).await;
    assert_eq!(hosts[3].recv().await, ServerMessage::Left);

    let mut browser = Client::connect(addr).await;
    browser.send(&ClientMessage::ListFeatured).await;
    let ServerMessage::Featured { rooms } = browser.recv().await else {
        panic!("expected the featured list");
    };
    let listed: Vec<_> = rooms.iter().map(|r| r.id.clone()).collect();
    assert_eq!(listed, [ids[0].clone(), ids[2].clone()]);
    assert_eq!(rooms[0].host.as_str(), "Guest");
    assert_eq!((rooms[0].members, rooms[0].member_limit), (1, 3));
    assert!(!rooms[0].has_password);
    assert_eq!(rooms[1].host.as_str(), "Host 2");
    assert_eq!((rooms[1].members, rooms[1].member_limit), (1, 5));
    assert!(rooms[1].has_password);
}

#[tokio::test]
async fn empty_room_closes_after_grace_and_rejoin_keeps_it() {
    let config = Config {
        empty_room_grace: Duration::from_millis(300),
        ..Config::default()
    };
    let addr = start(config).await;
    let mut ann = Client::connect(addr).await;
    let room = ann.create("Ann", 2, None).await;
    ann.send(&ClientMessage::LeaveRoom).await;
    assert_eq!(ann.recv().await, ServerMessage::Left);
    // Back within the grace period: the room is still there.
    tokio::time::sleep(Duration::from_millis(100)).await;
    ann.join(&room.id(), "Ann", None).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut bob = Client::connect(addr).await;
    bob.join(&room.id(), "Bob", None).await;
    bob.send(&ClientMessage::LeaveRoom).await;
    assert_eq!(bob.recv().await, ServerMessage::Left);
    drop(ann);
    // Now empty for longer than the grace period: gone.
    tokio::time::sleep(Duration::from_millis(700)).await;
    bob.send_join(&room.id(), "Bob", None).await;
    bob.expect_error(ErrorCode::NoSuchRoom).await;
}

#[tokio::test]
async fn invites_can_be_made_in_a_room_only() {
    let addr = start(Config::default()).await;
    let mut ann = Client::connect(addr).await;
    ann.send(&ClientMessage::CreateInvite).await;
    ann.expect_error(ErrorCode::NotInRoom).await;
    let room = ann.create("Ann", 2, None).await;
    ann.send(&ClientMessage::CreateInvite).await;
    match ann.recv().await {
        ServerMessage::InviteCreated { invite } => {
            assert!(invite.expires_at >= room.invite.expires_at);
            assert!(!invite.token.0.is_empty());
        }
        other => panic!("expected invite_created, got {other:?}"),
    }
}

#[tokio::test]
async fn connection_without_hello_is_closed_after_the_heartbeat_timeout() {
    let config = Config {
        heartbeat_interval: Duration::from_millis(100),
        heartbeat_timeout: Duration::from_millis(300),
        ..Config::default()
    };
    let addr = start(config).await;
    let mut mute = Client::connect_raw(addr).await;
    // Reading answers pings, but that alone does not keep the socket.
    assert!(mute.closed_within(Duration::from_secs(3)).await);
    let mut greeted = Client::connect(addr).await;
    assert!(!greeted.closed_within(Duration::from_millis(800)).await);
}
