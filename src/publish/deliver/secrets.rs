//! A channel's secrets, read from the environment variables its
//! `[[channels]]` entry names, never printed, and scrubbed from every
//! answer and error.
//!
//! Owns: reading and redacting secrets.

use super::{http, Channel};

/// The secrets of one channel, read from the environment when needed and
/// never printed.
#[derive(Clone)]
pub struct Secrets {
    /// The URL (`url_env`).
    pub(super) url: Option<String>,
    /// The signing secret or bot token (`secret_env`).
    pub(super) secret: Option<String>,
    /// The chat id (`chat_id_env`).
    pub(super) chat_id: Option<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(***)")
    }
}

impl Secrets {
    /// Reads the variables `channel` names. A variable that is named but
    /// not set is an error naming the variable (never a value).
    pub fn from_env(channel: &Channel) -> Result<Secrets, String> {
        let get = |field: &str, name: &Option<String>| -> Result<Option<String>, String> {
            match name {
                None => Ok(None),
                Some(n) => match std::env::var(n) {
                    Ok(v) if !v.trim().is_empty() => Ok(Some(v.trim().to_string())),
                    _ => Err(format!(
                        "the environment variable {n} (the `{field}` of channel `{}`) is not set",
                        channel.id
                    )),
                },
            }
        };
        Ok(Secrets {
            url: get("url_env", &channel.url_env)?,
            secret: get("secret_env", &channel.secret_env)?,
            chat_id: get("chat_id_env", &channel.chat_id_env)?,
        })
    }

    /// A redactor for every secret value of the channel, each on its own:
    /// the URL, its password, query values and path tokens, the signing
    /// secret or bot token (and the secret half of a `id:secret` token),
    /// the chat id.
    pub fn redactor(&self) -> http::Redactor {
        let mut v: Vec<(String, usize)> = [&self.url, &self.secret, &self.chat_id]
            .into_iter()
            .flatten()
            .map(|s| (s.clone(), 4))
            .collect();
        if let Some(u) = &self.url {
            v.extend(http::url_secrets(u).into_iter().map(|s| (s, 8)));
        }
        if let Some(t) = &self.secret {
            v.extend(t.split(':').map(|s| (s.to_string(), 8)));
        }
        http::Redactor::new(v)
    }
}
