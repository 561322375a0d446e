//! Two joins racing for a room's last slot: exactly one wins, every time.

mod common;

use common::{start, Client};
use huddle_protocol::{Credential, ErrorCode, ServerMessage};
use huddle_server::Config;

const ROUNDS: usize = 1000;
/// Rounds run at the same time; keeps the test fast without thousands of sockets.
const BATCH: usize = 50;

/// One round: a room of two with its creator in it, and two clients joining
/// at once. Returns how many got in.
async fn round(addr: std::net::SocketAddr, password: Option<&str>) -> usize {
    let mut host = Client::connect(addr).await;
    let mut a = Client::connect(addr).await;
    let mut b = Client::connect(addr).await;
    let room = host.create("Host", 2, password).await;
    let id = room.id();
    let credential = password.map(|p| Credential::Password(p.to_owned()));
    let (ra, rb) = tokio::join!(
        async {
            a.send_join(&id, "A", credential.clone()).await;
            a.recv().await
        },
        async {
            b.send_join(&id, "B", credential.clone()).await;
            b.recv().await
        }
    );
    let mut winners = 0;
    for reply in [ra, rb] {
        match reply {
            ServerMessage::Joined { members, .. } => {
                assert_eq!(members.len(), 2, "the winner sees host and self");
                winners += 1;
            }
            ServerMessage::Error { code, .. } => assert_eq!(code, ErrorCode::RoomFull),
            other => panic!("unexpected reply {other:?}"),
        }
    }
    // The host hears of exactly the winner.
    assert!(matches!(
        host.recv().await,
        ServerMessage::MemberJoined { .. }
    ));
    winners
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_slot_race_has_exactly_one_winner_1000_times() {
    let addr = start(Config::default()).await;
    let mut done = 0;
    while done < ROUNDS {
        let batch = BATCH.min(ROUNDS - done);
        let mut rounds = tokio::task::JoinSet::new();
        for _ in 0..batch {
            rounds.spawn(round(addr, None));
        }
        while let Some(result) = rounds.join_next().await {
            match result {
                Ok(winners) => {
                    assert_eq!(winners, 1, "exactly one of two racers gets the last slot")
                }
                Err(e) => panic!("a round failed: {e}"),
            }
        }
        done += batch;
    }
}

/// With a password both joins pass the room's gate and spend tens of
/// milliseconds in Argon2 before claiming the slot, so they really do reach
/// the claim together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_slot_race_after_password_check_has_exactly_one_winner() {
    let addr = start(Config::default()).await;
    let mut rounds = tokio::task::JoinSet::new();
    for _ in 0..20 {
        rounds.spawn(round(addr, Some("sesame")));
    }
    while let Some(result) = rounds.join_next().await {
        match result {
            Ok(winners) => assert_eq!(winners, 1, "exactly one of two racers gets the last slot"),
            Err(e) => panic!("a round failed: {e}"),
        }
    }
}
