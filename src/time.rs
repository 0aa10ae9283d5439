//! Instants as Polar writes them: UTC, microsecond precision.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// An instant in UTC with microsecond precision: what Polar stores and sends.
///
/// Finer input is truncated when the value is made, so a `Timestamp` always round-trips
/// through the wire unchanged. It serializes as RFC 3339 ending in `Z`, with a fraction
/// only when it is non-zero, and then exactly six digits (`2023-11-07T05:31:56Z`,
/// `2023-11-07T05:31:56.123456Z`). Parsing accepts any RFC 3339 offset and converts to
/// UTC; a time without an offset is refused.
///
/// The crate never reads a clock: callers pass `now` in.
///
/// ```
/// # fn main() -> Result<(), membership::Error> {
/// use membership::Timestamp;
///
/// let t = Timestamp::parse("2025-02-01T09:00:00.1234567+01:00")?;
/// assert_eq!(t.to_string(), "2025-02-01T08:00:00.123456Z");
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// Wraps an instant, truncating it to whole microseconds.
    #[must_use]
    pub fn new(instant: DateTime<Utc>) -> Self {
        let nanos = instant.timestamp_subsec_nanos();
        let extra = TimeDelta::nanoseconds(i64::from(nanos % 1_000));
        Self(instant.checked_sub_signed(extra).unwrap_or(instant))
    }

    /// Parses RFC 3339 with any offset.
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `timestamp` when `text` is not RFC 3339 with an offset.
    pub fn parse(text: &str) -> Result<Self, Error> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| Self::new(t.with_timezone(&Utc)))
            .map_err(|_| Error::invalid("timestamp", "is not an RFC 3339 time with an offset"))
    }

    /// The instant as a chrono value.
    #[must_use]
    pub const fn as_datetime(&self) -> &DateTime<Utc> {
        &self.0
    }

    /// This instant plus `delta`, saturating at chrono's last representable instant
    /// rather than overflowing (an expiry "never" in practice).
    #[must_use]
    pub fn saturating_add(self, delta: TimeDelta) -> Self {
        Self::new(self.0.checked_add_signed(delta).unwrap_or(DateTime::<Utc>::MAX_UTC))
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(instant: DateTime<Utc>) -> Self {
        Self::new(instant)
    }
}

impl FromStr for Timestamp {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `AutoSi` would write 3 or 9 digits for some values; Polar always writes 6.
        let format = if self.0.timestamp_subsec_micros() == 0 { SecondsFormat::Secs } else { SecondsFormat::Micros };
        f.write_str(&self.0.to_rfc3339_opts(format, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(input: &str, written: Option<&str>) {
        let got = Timestamp::parse(input).ok().map(|t| t.to_string());
        assert_eq!(got.as_deref(), written, "input {input:?}");
    }

    #[test]
    fn cus_1_timestamps_are_utc_z_with_six_digit_fractions_or_none() {
        case("2023-11-07T05:31:56Z", Some("2023-11-07T05:31:56Z"));
        case("2023-11-07T05:31:56.000000Z", Some("2023-11-07T05:31:56Z"));
        case("2023-11-07T05:31:56.1Z", Some("2023-11-07T05:31:56.100000Z"));
        case("2023-11-07T05:31:56.123456Z", Some("2023-11-07T05:31:56.123456Z"));
        case("2023-11-07T05:31:56.123456789Z", Some("2023-11-07T05:31:56.123456Z"));
        case("2023-11-07T05:31:56.000000999Z", Some("2023-11-07T05:31:56Z"));
        case("2025-02-01T08:00:00+00:00", Some("2025-02-01T08:00:00Z"));
        case("2025-02-01T10:30:00+02:30", Some("2025-02-01T08:00:00Z"));
        case("2025-02-01T08:00:00", None);
        case("yesterday", None);
    }

    #[test]
    fn cus_1_timestamps_round_trip_through_serde() {
        let t = Timestamp::parse("2025-01-01T12:34:56.123456Z").unwrap();
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#""2025-01-01T12:34:56.123456Z""#);
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert!(serde_json::from_str::<Timestamp>(r#""2025-01-01T12:34:56""#).is_err());
    }

    #[test]
    fn saturating_add_never_overflows() {
        let t = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
        assert_eq!(t.saturating_add(TimeDelta::days(7)).to_string(), "2025-01-08T00:00:00Z");
        assert_eq!(t.saturating_add(TimeDelta::MAX), Timestamp::new(DateTime::<Utc>::MAX_UTC));
    }
}
