//! What every connection shares: settings, rooms, the invite key, the
//! failure budgets and the posts store.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use huddle_protocol::RoomId;

use crate::config::Config;
use crate::invite::InviteSigner;
use crate::posts::Posts;
use crate::rate_limit::KeyedLimiter;
use crate::rooms::Rooms;

/// Cheap to clone: one `Arc`.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub config: Config,
    pub rooms: Arc<Rooms>,
    pub invites: InviteSigner,
    /// Failed joins per client address.
    pub ip_failures: KeyedLimiter<IpAddr>,
    /// Failed joins per room, from all addresses: slows a distributed guess
    /// at one room's password.
    pub room_failures: KeyedLimiter<RoomId>,
    pub posts: Posts,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        let minute = Duration::from_secs(60);
        let limits = config.rate_limits;
        Self(Arc::new(Shared {
            rooms: Rooms::new(config.empty_room_grace),
            invites: InviteSigner::new(config.invite_secret.clone(), config.invite_ttl),
            ip_failures: KeyedLimiter::new(limits.ip_failures_per_minute, minute),
            room_failures: KeyedLimiter::new(limits.room_failures_per_minute, minute),
            posts: Posts::new(&config),
            config,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}
