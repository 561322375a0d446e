//! Every message survives encode → decode unchanged, and the wire form is the documented one.

use huddle_protocol::*;

fn name(s: &str) -> DisplayName {
    DisplayName::parse(s).expect("valid name")
}

fn room() -> RoomId {
    RoomId::parse("12345678").expect("valid room")
}

fn client_messages() -> Vec<ClientMessage> {
    vec![
        ClientMessage::Hello {
            version: PROTOCOL_VERSION,
        },
        ClientMessage::CreateRoom {
            name: name("Ada"),
            member_limit: 4,
            password: Some("pw".into()),
            featured: true,
        },
        ClientMessage::CreateRoom {
            name: name("Ada"),
            member_limit: 2,
            password: None,
            featured: false,
        },
        ClientMessage::JoinRoom {
            room: room(),
            name: name("Bo"),
            credential: None,
        },
        ClientMessage::JoinRoom {
            room: room(),
            name: name("Bo"),
            credential: Some(Credential::Password("pw".into())),
        },
        ClientMessage::JoinRoom {
            room: room(),
            name: name("Bo"),
            credential: Some(Credential::Invite(InviteToken("t.k".into()))),
        },
        ClientMessage::Signal {
            to: MemberId(7),
            signal: PeerSignal::Reset,
        },
        ClientMessage::LeaveRoom,
        ClientMessage::CreateInvite,
        ClientMessage::ListFeatured,
        ClientMessage::Signal {
            to: MemberId(7),
            signal: PeerSignal::Description {
                sdp_type: "offer".into(),
                sdp: "v=0".into(),
            },
        },
        ClientMessage::Signal {
            to: MemberId(7),
            signal: PeerSignal::Candidate {
                candidate: "candidate:1".into(),
                sdp_mid: Some("0".into()),
                sdp_m_line_index: Some(0),
            },
        },
    ]
}

fn server_messages() -> Vec<ServerMessage> {
    let member = Member {
        id: MemberId(1),
        name: name("Ada"),
        is_creator: true,
    };
    let info = RoomInfo {
        id: room(),
        member_limit: 4,
        has_password: true,
        featured: false,
    };
    let invite = Invite {
        token: InviteToken("abc".into()),
        expires_at: 1_800_000_000,
    };
    vec![
        ServerMessage::Welcome {
            version: PROTOCOL_VERSION,
            ice_servers: vec![IceServer {
                urls: vec!["turn:t.example:3478".into()],
                username: Some("u".into()),
                credential: Some("c".into()),
            }],
        },
        ServerMessage::Joined {
            room: info.clone(),
            you: MemberId(1),
            members: vec![member.clone()],
            invite: invite.clone(),
        },
        ServerMessage::MemberJoined { member },
        ServerMessage::MemberLeft {
            member: MemberId(1),
        },
        ServerMessage::Left,
        ServerMessage::InviteCreated { invite },
        ServerMessage::Featured {
            rooms: vec![FeaturedRoom {
                id: room(),
                host: name("Ada"),
                members: 1,
                member_limit: 4,
                has_password: false,
            }],
        },
        ServerMessage::Signal {
            from: MemberId(2),
            signal: PeerSignal::Description {
                sdp_type: "answer".into(),
                sdp: "v=0".into(),
            },
        },
        ServerMessage::error(ErrorCode::TooManyAttempts, Some(12)),
    ]
}

#[test]
fn client_messages_round_trip() {
    for message in client_messages() {
        let text = encode(&message);
        let back: ClientMessage = decode(&text).expect("decodes");
        assert_eq!(back, message, "{text}");
    }
}

#[test]
fn server_messages_round_trip() {
    for message in server_messages() {
        let text = encode(&message);
        let back: ServerMessage = decode(&text).expect("decodes");
        assert_eq!(back, message, "{text}");
    }
}

#[test]
fn peer_messages_round_trip() {
    for message in [
        PeerMessage::Ping { seq: 3 },
        PeerMessage::Pong { seq: 3 },
        PeerMessage::CameraState { available: false },
    ] {
        let back: PeerMessage = decode(&encode(&message)).expect("decodes");
        assert_eq!(back, message);
    }
}

#[test]
fn wire_form_is_the_documented_one() {
    let text = encode(&ClientMessage::JoinRoom {
        room: room(),
        name: name("Bo"),
        credential: Some(Credential::Password("pw".into())),
    });
    assert_eq!(
        text,
        r#"{"type":"join_room","room":"12345678","name":"Bo","credential":{"kind":"password","value":"pw"}}"#
    );
    let text = encode(&ServerMessage::error(ErrorCode::RoomFull, None));
    assert_eq!(
        text,
        r#"{"type":"error","code":"room_full","message":"This room is full."}"#
    );
}

#[test]
fn invalid_values_are_refused_when_decoding() {
    let bad_room = r#"{"type":"join_room","room":"0123","name":"Bo"}"#;
    assert!(decode::<ClientMessage>(bad_room).is_err());
    let empty_name = r#"{"type":"create_room","name":"   ","member_limit":2}"#;
    assert!(decode::<ClientMessage>(empty_name).is_err());
    let long_name = format!(
        r#"{{"type":"create_room","name":"{}","member_limit":2}}"#,
        "x".repeat(33)
    );
    assert!(decode::<ClientMessage>(&long_name).is_err());
    assert!(decode::<ClientMessage>("not json").is_err());
    assert!(decode::<ClientMessage>(r#"{"type":"launch_rockets"}"#).is_err());
}

#[test]
fn room_numbers_accept_what_people_type() {
    assert_eq!(
        RoomId::parse(" 1234 5678 ").map(|r| r.to_string()),
        Ok("12345678".to_string())
    );
    assert_eq!(
        RoomId::parse("1234-5678").map(|r| r.to_string()),
        Ok("12345678".to_string())
    );
    assert!(RoomId::parse("1234567").is_err());
    assert!(RoomId::parse("1234567a").is_err());
    assert!(RoomId::from_number(99_999_999).is_ok());
}

#[test]
fn every_error_has_a_sentence() {
    assert_eq!(
        ErrorCode::TooManyAttempts.explain(Some(30)),
        "Too many attempts. Try again in 30 s."
    );
    assert!(ErrorCode::WrongPassword.explain(None).contains("password"));
}
