//! Outgoing mail: login codes and invitations, through `lettre`. A [`Mailer`] writes each
//! message as an `.eml` file in a folder (the default, so a laptop needs nothing
//! installed), or sends it through an SMTP relay.
//!
//! Mail goes out after the command it reports has committed, in a task of its own: a
//! failed send is retried a few times and then logged, and never fails the command (the
//! invitation exists; it can be resent; a login code can be requested again).

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use membership::Email;

/// How long one SMTP exchange may take before it counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The waits before the second and third attempt of a send.
pub const RETRY_WAITS: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(5)];

/// One message to send: plain text, to one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Letter {
    /// The recipient.
    pub to: Email,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

/// Why a mailer could not be made or a message not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// An address (the sender's or the recipient's) is not one `lettre` can write.
    #[error("not a mailbox `lettre` can write: {0}")]
    Address(#[from] lettre::address::AddressError),
    /// The message could not be built.
    #[error("cannot build the message: {0}")]
    Build(#[from] lettre::error::Error),
    /// The relay refused, or could not be reached, or the URL is not an SMTP URL.
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// The folder could not be written.
    #[error("cannot write the message file: {0}")]
    File(#[from] lettre::transport::file::Error),
    /// The folder could not be created.
    #[error("cannot create the mail folder: {0}")]
    Folder(#[from] std::io::Error),
}

/// Where messages go.
#[derive(Clone, Debug)]
enum Transport {
    /// Each message an `.eml` file in this folder.
    Folder(AsyncFileTransport<Tokio1Executor>, PathBuf),
    /// Through an SMTP relay.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Nowhere: a library user's state without a mailer.
    Discard,
}

/// Sends the service's mail: one per process, in [`crate::AppState`].
#[derive(Clone, Debug)]
pub struct Mailer {
    transport: Transport,
    /// The sender; none for [`Mailer::discard`].
    from: Option<Mailbox>,
}

/// The sender when none is configured.
pub const DEFAULT_FROM: &str = "Membership <no-reply@membership.localhost>";

impl Mailer {
    /// Writes each message as an `.eml` file in `folder`, created when the first message
    /// is written (a server that mails nothing leaves no empty folder behind).
    ///
    /// # Errors
    ///
    /// `from` is not a mailbox.
    pub fn folder(folder: &Path, from: &str) -> Result<Self, MailError> {
        let transport = Transport::Folder(AsyncFileTransport::new(folder), folder.to_owned());
        Ok(Mailer { transport, from: Some(from.parse()?) })
    }

    /// Sends through the relay at `url`: `smtp://host:port` in plain text (a local relay),
    /// `smtp://host:port?tls=required` with STARTTLS, `smtps://host:port` over TLS; user and
    /// password go in the URL's user info.
    ///
    /// # Errors
    ///
    /// The URL is not an SMTP URL, or `from` is not a mailbox.
    pub fn smtp(url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.timeout(Some(SMTP_TIMEOUT)).build();
        Ok(Mailer { transport: Transport::Smtp(transport), from: Some(from.parse()?) })
    }

    /// Sends nothing (each message is logged as dropped, without its body).
    #[must_use]
    pub fn discard() -> Self {
        Mailer { transport: Transport::Discard, from: None }
    }

    /// Where messages go, for the log: the folder, `smtp` or `discard`.
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Folder(_, folder) => format!("folder {}", folder.display()),
            Transport::Smtp(_) => "smtp".to_owned(),
            Transport::Discard => "discard".to_owned(),
        }
    }

    /// Sends `letter` once.
    ///
    /// # Errors
    ///
    /// The message cannot be built (an address `lettre` refuses) or the transport failed.
    pub async fn send_now(&self, letter: &Letter) -> Result<(), MailError> {
        let Some(from) = self.from.clone() else {
            tracing::info!(to = %letter.to, "no mailer configured: message dropped");
            return Ok(());
        };
        let message = Message::builder()
            .from(from)
            .to(letter.to.as_str().parse()?)
            .subject(letter.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(body(&letter.body))?;
        match &self.transport {
            Transport::Folder(transport, folder) => {
                tokio::fs::create_dir_all(folder).await?;
                transport.send(message).await?;
            }
            Transport::Smtp(transport) => {
                transport.send(message).await?;
            }
            Transport::Discard => {}
        }
        Ok(())
    }

    /// Sends `letter` in a task of its own, retried after each of [`RETRY_WAITS`]; a
    /// message that still fails is logged (its recipient and error, never its subject or
    /// body, which may hold a login code). The caller's answer never waits for the relay.
    pub fn send(&self, letter: Letter) {
        let mailer = self.clone();
        // Detached: the answer does not wait, and a send in flight at shutdown is lost
        // (the invitation can be resent, the code requested again).
        tokio::spawn(async move {
            let mut waits = RETRY_WAITS.iter();
            loop {
                match mailer.send_now(&letter).await {
                    Ok(()) => return,
                    Err(error) => {
                        if let Some(wait) = waits.next() {
                            tracing::warn!(%error, to = %letter.to, "mail not sent; retrying");
                            tokio::time::sleep(*wait).await;
                        } else {
                            tracing::error!(%error, to = %letter.to, "mail not sent; giving up");
                            return;
                        }
                    }
                }
            }
        });
    }
}

/// The body as plain 7-bit text when it is ASCII with lines of at most 998 bytes (RFC 5322):
/// lettre would quote-print any line over 76, breaking the links a reader of the `.eml`
/// file copies. Anything else is left to lettre's own choice of encoding.
fn body(text: &str) -> Body {
    let crlf = text.replace("\r\n", "\n").replace('\r', "").replace('\n', "\r\n");
    let plain =
        crlf.bytes().all(|byte| byte.is_ascii() && byte != 0) && crlf.split("\r\n").all(|line| line.len() <= 998);
    if plain {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit)
    } else {
        Body::new(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_ascii_line_stays_plain_text() {
        let link = format!("http://example.com/{}", "a".repeat(200));
        let body = body(&format!("Join: {link}\nbye\n"));
        assert_eq!(body.encoding(), ContentTransferEncoding::SevenBit);
        assert_eq!(body.into_vec(), format!("Join: {link}\r\nbye\r\n").into_bytes());
    }

    #[test]
    fn non_ascii_or_overlong_text_is_left_to_lettre() {
        assert_ne!(body("Grüße\n").encoding(), ContentTransferEncoding::SevenBit);
        assert_ne!(body(&"a".repeat(999)).encoding(), ContentTransferEncoding::SevenBit);
    }
}
