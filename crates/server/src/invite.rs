//! Invite links: tokens signed with HMAC-SHA256 that let their holder into one
//! room, password or not, until they expire.
//!
//! Token bytes, base64url without padding (60 characters):
//!
//! ```text
//! version (1) | room number u32 BE (4) | expires_at u64 BE, Unix seconds (8) | MAC (32)
//! MAC = HMAC-SHA256(key, version | room | expires_at | room nonce (16))
//! ```
//!
//! The room's random creation nonce is signed but not sent: the server knows it
//! for every live room, and once a room closes its nonce is gone, so a token for
//! a closed room cannot open a later room that happens to reuse the number.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use huddle_protocol::{Invite, InviteToken, RoomId};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const VERSION: u8 = 1;
const MAC_LEN: usize = 32;
const PAYLOAD_LEN: usize = 1 + 4 + 8;
const TOKEN_LEN: usize = PAYLOAD_LEN + MAC_LEN;

/// A room's random creation nonce, bound into its invites.
pub type RoomNonce = [u8; 16];

/// Why an invite was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InviteError {
    #[error("the invite has expired")]
    Expired,
    #[error("the invite is not valid for this room")]
    Invalid,
}

/// Issues and checks invite tokens with one secret key.
#[derive(Clone)]
pub struct InviteSigner {
    key: Vec<u8>,
    ttl: Duration,
}

impl std::fmt::Debug for InviteSigner {
    // The key is a secret: keep it out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InviteSigner")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl InviteSigner {
    /// A signer with `secret`, or with a random key when there is none.
    pub fn new(secret: Option<Vec<u8>>, ttl: Duration) -> Self {
        let key = secret.unwrap_or_else(|| {
            let mut key = vec![0; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            key
        });
        Self { key, ttl }
    }

    /// A fresh random nonce for a new room.
    pub fn new_room_nonce() -> RoomNonce {
        let mut nonce = [0; 16];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        nonce
    }

    /// An invite to `room` that expires `ttl` from now.
    pub fn issue(&self, room: &RoomId, nonce: &RoomNonce) -> Invite {
        self.issue_at(room, nonce, unix_now())
    }

    pub fn issue_at(&self, room: &RoomId, nonce: &RoomNonce, now: u64) -> Invite {
        let expires_at = now.saturating_add(self.ttl.as_secs());
        let mut bytes = Vec::with_capacity(TOKEN_LEN);
        bytes.push(VERSION);
        bytes.extend_from_slice(&room_number(room).to_be_bytes());
        bytes.extend_from_slice(&expires_at.to_be_bytes());
        let mac = self.mac(&bytes, nonce).finalize().into_bytes();
        bytes.extend_from_slice(&mac);
        Invite {
            token: InviteToken(URL_SAFE_NO_PAD.encode(bytes)),
            expires_at,
        }
    }

    /// Checks that `token` was issued by this server for the live room `room`
    /// (whose nonce is `nonce`) and has not expired.
    pub fn verify(
        &self,
        token: &InviteToken,
        room: &RoomId,
        nonce: &RoomNonce,
    ) -> Result<(), InviteError> {
        self.verify_at(token, room, nonce, unix_now())
    }

    pub fn verify_at(
        &self,
        token: &InviteToken,
        room: &RoomId,
        nonce: &RoomNonce,
        now: u64,
    ) -> Result<(), InviteError> {
        // Longer input than any token cannot be one; refuse before decoding.
        if token.0.len() > 2 * TOKEN_LEN {
            return Err(InviteError::Invalid);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(token.0.as_bytes())
            .map_err(|_| InviteError::Invalid)?;
        if bytes.len() != TOKEN_LEN || bytes[0] != VERSION {
            return Err(InviteError::Invalid);
        }
        let (payload, mac) = bytes.split_at(PAYLOAD_LEN);
        let token_room = u32::from_be_bytes(to_array(&payload[1..5])?);
        if token_room != room_number(room) {
            return Err(InviteError::Invalid);
        }
        // `verify_slice` compares in constant time.
        self.mac(payload, nonce)
            .verify_slice(mac)
            .map_err(|_| InviteError::Invalid)?;
        // Only a signed expiry means anything, so it is read after the MAC check.
        let expires_at = u64::from_be_bytes(to_array(&payload[5..13])?);
        if now >= expires_at {
            return Err(InviteError::Expired);
        }
        Ok(())
    }

    fn mac(&self, payload: &[u8], nonce: &RoomNonce) -> HmacSha256 {
        // HMAC takes keys of any length, so this cannot fail; fall back to an
        // empty-keyed MAC rather than panic if the library ever says otherwise.
        let mut mac = HmacSha256::new_from_slice(&self.key)
            .unwrap_or_else(|_| <HmacSha256 as Mac>::new(&Default::default()));
        mac.update(payload);
        mac.update(nonce);
        mac
    }
}

/// Room numbers are 8 digits, so they fit a u32.
fn room_number(room: &RoomId) -> u32 {
    room.as_str().parse().unwrap_or(0)
}

fn to_array<const N: usize>(slice: &[u8]) -> Result<[u8; N], InviteError> {
    slice.try_into().map_err(|_| InviteError::Invalid)
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(n: &str) -> RoomId {
        match RoomId::parse(n) {
            Ok(r) => r,
            Err(e) => panic!("bad test room {n}: {e}"),
        }
    }

    fn signer() -> InviteSigner {
        InviteSigner::new(Some(b"test secret".to_vec()), Duration::from_secs(100))
    }

    #[test]
    fn fresh_invite_verifies_until_it_expires() {
        let s = signer();
        let r = room("12345678");
        let nonce = [7; 16];
        let invite = s.issue_at(&r, &nonce, 1_000);
        assert_eq!(invite.expires_at, 1_100);
        assert_eq!(invite.token.0.len(), 60);
        assert_eq!(s.verify_at(&invite.token, &r, &nonce, 1_099), Ok(()));
        assert_eq!(
            s.verify_at(&invite.token, &r, &nonce, 1_100),
            Err(InviteError::Expired)
        );
    }

    #[test]
    fn invite_is_bound_to_room_nonce_and_key() {
        let s = signer();
        let r = room("12345678");
        let invite = s.issue_at(&r, &[1; 16], 0);
        // Same number, but a later room with another nonce.
        assert_eq!(
            s.verify_at(&invite.token, &r, &[2; 16], 0),
            Err(InviteError::Invalid)
        );
        assert_eq!(
            s.verify_at(&invite.token, &room("87654321"), &[1; 16], 0),
            Err(InviteError::Invalid)
        );
        let other = InviteSigner::new(Some(b"other".to_vec()), Duration::from_secs(100));
        assert_eq!(
            other.verify_at(&invite.token, &r, &[1; 16], 0),
            Err(InviteError::Invalid)
        );
    }

    #[test]
    fn tampered_and_garbage_tokens_are_invalid() {
        let s = signer();
        let r = room("12345678");
        let nonce = [3; 16];
        let invite = s.issue_at(&r, &nonce, 0);
        let Ok(mut bytes) = URL_SAFE_NO_PAD.decode(&invite.token.0) else {
            panic!("issued tokens are base64url");
        };
        // Push the expiry far into the future without re-signing.
        bytes[5] ^= 0x40;
        let tampered = InviteToken(URL_SAFE_NO_PAD.encode(&bytes));
        assert_eq!(
            s.verify_at(&tampered, &r, &nonce, 0),
            Err(InviteError::Invalid)
        );
        for garbage in ["", "!!!", "AAAA", &"A".repeat(10_000)] {
            assert_eq!(
                s.verify_at(&InviteToken(garbage.into()), &r, &nonce, 0),
                Err(InviteError::Invalid)
            );
        }
    }
}
