//! Token buckets: one per connection for message flooding, and keyed ones that
//! count failed join attempts per client address and per room.
//!
//! A hand-written bucket rather than `governor`, because joins need to *look*
//! at a budget before trying and only *spend* it when the attempt fails;
//! governor only offers check-and-consume in one step.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::lock;

/// When a request may be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds for the wire, rounded up and at least 1 so a client never
    /// retries immediately into the same refusal.
    pub fn secs(self) -> u32 {
        let secs = self.0.as_secs_f64().ceil().max(1.0);
        if secs >= f64::from(u32::MAX) {
            u32::MAX
        } else {
            secs as u32
        }
    }
}

/// A classic token bucket: holds up to `capacity` tokens, refilled at `rate`
/// tokens per second.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    rate: f64,
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    pub fn new(capacity: u32, per: Duration, now: Instant) -> Self {
        let capacity = f64::from(capacity.max(1));
        let rate = capacity / per.as_secs_f64().max(f64::MIN_POSITIVE);
        Self {
            capacity,
            rate,
            tokens: capacity,
            updated: now,
        }
    }

    /// A bucket of `burst` tokens refilled at `per_second`.
    pub fn per_second(per_second: u32, burst: u32, now: Instant) -> Self {
        Self {
            capacity: f64::from(burst.max(1)),
            rate: f64::from(per_second.max(1)),
            tokens: f64::from(burst.max(1)),
            updated: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.updated = now;
    }

    /// Whether a token is available, without spending it.
    pub fn check(&mut self, now: Instant) -> Result<(), RetryAfter> {
        self.refill(now);
        if self.tokens >= 1.0 {
            Ok(())
        } else {
            Err(RetryAfter(Duration::from_secs_f64(
                (1.0 - self.tokens) / self.rate,
            )))
        }
    }

    /// Spends one token if there is one.
    pub fn take(&mut self, now: Instant) -> Result<(), RetryAfter> {
        self.check(now)?;
        self.tokens -= 1.0;
        Ok(())
    }

    /// Spends one token even if that leaves the bucket in debt (it never goes
    /// below zero, so a burst of failures cannot lock a key out for long).
    pub fn spend(&mut self, now: Instant) {
        self.refill(now);
        self.tokens = (self.tokens - 1.0).max(0.0);
    }

    fn is_full(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= self.capacity
    }
}

/// A token bucket per key, for counting failures. Keys whose bucket has
/// refilled are forgotten, so memory follows recent failures, not all keys.
#[derive(Debug)]
pub struct KeyedLimiter<K> {
    capacity: u32,
    per: Duration,
    buckets: Mutex<HashMap<K, TokenBucket>>,
}

/// Above this many tracked keys, refilled buckets are swept on the next failure.
const SWEEP_THRESHOLD: usize = 1024;

impl<K: Eq + Hash + Clone> KeyedLimiter<K> {
    /// Allows `capacity` failures per `per` for each key.
    pub fn new(capacity: u32, per: Duration) -> Self {
        Self {
            capacity,
            per,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `key` may try now. Does not spend anything.
    pub fn check(&self, key: &K) -> Result<(), RetryAfter> {
        self.check_at(key, Instant::now())
    }

    /// Counts one failure against `key`.
    pub fn record_failure(&self, key: &K) {
        self.record_failure_at(key, Instant::now());
    }

    pub fn check_at(&self, key: &K, now: Instant) -> Result<(), RetryAfter> {
        let mut buckets = lock(&self.buckets);
        match buckets.get_mut(key) {
            Some(bucket) => bucket.check(now),
            None => Ok(()),
        }
    }

    pub fn record_failure_at(&self, key: &K, now: Instant) {
        let mut buckets = lock(&self.buckets);
        if buckets.len() >= SWEEP_THRESHOLD {
            buckets.retain(|_, bucket| !bucket.is_full(now));
        }
        buckets
            .entry(key.clone())
            .or_insert_with(|| TokenBucket::new(self.capacity, self.per, now))
            .spend(now);
    }

    /// How many keys are tracked (for tests).
    pub fn tracked(&self) -> usize {
        lock(&self.buckets).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_burst_then_refuses_until_refilled() {
        let start = Instant::now();
        let mut bucket = TokenBucket::per_second(10, 3, start);
        for _ in 0..3 {
            assert!(bucket.take(start).is_ok());
        }
        let Err(retry) = bucket.take(start) else {
            panic!("a fourth message in the same instant must be refused");
        };
        assert!(retry.0 > Duration::ZERO && retry.0 <= Duration::from_millis(100));
        assert_eq!(retry.secs(), 1);
        assert!(bucket.take(start + Duration::from_millis(100)).is_ok());
    }

    #[test]
    fn keyed_limiter_counts_only_failures() {
        let start = Instant::now();
        let limiter = KeyedLimiter::new(3, Duration::from_secs(60));
        // Checking alone never spends.
        for _ in 0..100 {
            assert!(limiter.check_at(&"a", start).is_ok());
        }
        for _ in 0..3 {
            assert!(limiter.check_at(&"a", start).is_ok());
            limiter.record_failure_at(&"a", start);
        }
        let Err(retry) = limiter.check_at(&"a", start) else {
            panic!("three failures use up a budget of three");
        };
        // One token comes back every 20 s.
        assert_eq!(retry.secs(), 20);
        assert!(limiter.check_at(&"b", start).is_ok());
        assert!(limiter
            .check_at(&"a", start + Duration::from_secs(20))
            .is_ok());
    }

    #[test]
    fn refilled_keys_are_forgotten() {
        let start = Instant::now();
        let limiter = KeyedLimiter::new(1, Duration::from_secs(1));
        for key in 0..SWEEP_THRESHOLD {
            limiter.record_failure_at(&key, start);
        }
        assert_eq!(limiter.tracked(), SWEEP_THRESHOLD);
        limiter.record_failure_at(&usize::MAX, start + Duration::from_secs(2));
        assert_eq!(limiter.tracked(), 1);
    }
}
