//! Pacing: each channel's messages are spaced at least its `pace` apart, so
//! a batch stays under the platform's rate limit instead of running into it.

use chrono::Duration;
use std::collections::HashMap;
use std::time::Instant;

/// When each channel last sent.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    last: HashMap<String, Instant>,
}

impl Pacer {
    /// A pacer with no history.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// How long `channel` must still wait before its next message.
    pub(crate) fn wait_for(&self, channel: &str, pace: Duration) -> std::time::Duration {
        let pace = pace.to_std().unwrap_or_default();
        match self.last.get(channel) {
            Some(t) => pace.saturating_sub(t.elapsed()),
            None => std::time::Duration::ZERO,
        }
    }

    /// Records that `channel` sent a request just now.
    pub(crate) fn sent(&mut self, channel: &str) {
        self.last.insert(channel.to_string(), Instant::now());
    }
}
