//! `Polar-Version`: the dated API version a request asks for, as Polar's server reads it
//! (`server/polar/kit/versioning.py`). No header is the default, [`PolarVersion::DEFAULT`];
//! a header that is not `YYYY-MM`, or names a version this service does not answer, is
//! 404 `{"detail": "Not Found"}`, Polar's own answer. Every other response carries
//! `Polar-Version: <the version used>`.
//!
//! The three versions answer the same routes and shapes today (the member API did not
//! change between them); the version is in the request's extensions for a handler that
//! one day must differ.

use std::fmt;

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The request and response header.
pub const POLAR_VERSION: HeaderName = HeaderName::from_static("polar-version");

/// An API version this service answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolarVersion {
    /// `2026-04`, the default.
    V2026_04,
    /// `2026-10`.
    V2026_10,
    /// `2027-01`, the newest the 1.0 SDK ships.
    V2027_01,
}

impl PolarVersion {
    /// The version of a request without the header.
    pub const DEFAULT: PolarVersion = PolarVersion::V2026_04;

    /// Every version answered, oldest first.
    pub const ALL: [PolarVersion; 3] = [PolarVersion::V2026_04, PolarVersion::V2026_10, PolarVersion::V2027_01];

    /// As written in the header.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            PolarVersion::V2026_04 => "2026-04",
            PolarVersion::V2026_10 => "2026-10",
            PolarVersion::V2027_01 => "2027-01",
        }
    }

    /// The version a header value names: `None` for text that is not `YYYY-MM` or a
    /// version not answered. Surrounding whitespace is allowed, as HTTP allows it.
    #[must_use]
    pub fn parse(text: &str) -> Option<PolarVersion> {
        let text = text.trim();
        PolarVersion::ALL.into_iter().find(|version| version.as_str() == text)
    }
}

impl fmt::Display for PolarVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The layer: reads the header, refuses a version not answered, and echoes the one used.
pub async fn polar_version(mut request: Request, next: Next) -> Response {
    let version = match request.headers().get(POLAR_VERSION) {
        None => PolarVersion::DEFAULT,
        Some(value) => match value.to_str().ok().and_then(PolarVersion::parse) {
            Some(version) => version,
            // Polar's answer, word for word: the version's routes do not exist.
            None => return (StatusCode::NOT_FOUND, Json(json!({ "detail": "Not Found" }))).into_response(),
        },
    };
    request.extensions_mut().insert(version);
    let mut response = next.run(request).await;
    response.headers_mut().insert(POLAR_VERSION, HeaderValue::from_static(version.as_str()));
    response
}
