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
///
/// Every `Timestamp` lies between [`Timestamp::MIN`] (year 1) and [`Timestamp::MAX`] (the
/// end of year 9999): the range RFC 3339's four-digit years can write, so every value the
/// crate produces parses back, and a stored log always loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(DateTime<Utc>);

/// Microseconds from the Unix epoch to 0001-01-01T00:00:00Z.
const MIN_MICROS: i64 = -62_135_596_800_000_000;
/// Microseconds from the Unix epoch to 9999-12-31T23:59:59.999999Z.
const MAX_MICROS: i64 = 253_402_300_799_999_999;

impl Timestamp {
    /// The earliest instant: 0001-01-01T00:00:00Z.
    pub const MIN: Self = Self::from_const(MIN_MICROS);
    /// The latest instant: 9999-12-31T23:59:59.999999Z.
    pub const MAX: Self = Self::from_const(MAX_MICROS);

    #[expect(clippy::panic, reason = "only ever evaluated at compile time, for the two bounds above")]
    const fn from_const(micros: i64) -> Self {
        match DateTime::from_timestamp_micros(micros) {
            Some(instant) => Self(instant),
            None => panic!("the bounds are within chrono's range"),
        }
    }

    /// Wraps an instant, truncating it to whole microseconds.
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `timestamp` outside the years 1 to 9999.
    pub fn new(instant: DateTime<Utc>) -> Result<Self, Error> {
        Self::from_unix_micros(instant.timestamp_micros())
    }

    /// The instant this many microseconds after the Unix epoch (SQL's `BIGINT` form).
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `timestamp` outside the years 1 to 9999.
    pub fn from_unix_micros(micros: i64) -> Result<Self, Error> {
        if !(MIN_MICROS..=MAX_MICROS).contains(&micros) {
            return Err(Error::invalid("timestamp", "is outside the years 1 to 9999"));
        }
        DateTime::from_timestamp_micros(micros)
            .map(Self)
            .ok_or_else(|| Error::invalid("timestamp", "is outside the years 1 to 9999"))
    }

    /// Microseconds since the Unix epoch: exact, since a `Timestamp` holds no finer unit.
    #[must_use]
    pub fn unix_micros(&self) -> i64 {
        self.0.timestamp_micros()
    }

    /// Parses RFC 3339 with any offset.
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `timestamp` when `text` is not RFC 3339 with an offset,
    /// or falls outside the years 1 to 9999.
    pub fn parse(text: &str) -> Result<Self, Error> {
        DateTime::parse_from_rfc3339(text)
            .map_err(|_| Error::invalid("timestamp", "is not an RFC 3339 time with an offset"))
            .and_then(|t| Self::new(t.with_timezone(&Utc)))
    }

    /// The instant as a chrono value.
    #[must_use]
    pub const fn as_datetime(&self) -> &DateTime<Utc> {
        &self.0
    }

    /// This instant plus `delta`, saturating at [`Timestamp::MIN`] and [`Timestamp::MAX`]
    /// rather than overflowing (an expiry "never" in practice).
    #[must_use]
    pub fn saturating_add(self, delta: TimeDelta) -> Self {
        let micros = delta.num_microseconds().unwrap_or(if delta < TimeDelta::zero() { i64::MIN } else { i64::MAX });
        let sum = self.unix_micros().saturating_add(micros).clamp(MIN_MICROS, MAX_MICROS);
        Self::from_unix_micros(sum).unwrap_or(self)
    }

    /// When something made now with this time to live expires: `self + ttl`, saturating at
    /// [`Timestamp::MAX`].
    #[must_use]
    pub fn after(self, ttl: Ttl) -> Self {
        self.saturating_add(ttl.as_delta())
    }
}

impl TryFrom<DateTime<Utc>> for Timestamp {
    type Error = Error;

    fn try_from(instant: DateTime<Utc>) -> Result<Self, Error> {
        Self::new(instant)
    }
}

/// How long an invitation or an ownership offer stays open: at least one second, at most
/// 365 days (docs/rules.md#values), so every expiry it makes is a time the crate can write and read
/// back. Serializes as whole seconds.
///
/// ```
/// # fn main() -> Result<(), membership::Error> {
/// use membership::Ttl;
///
/// assert_eq!(Ttl::DEFAULT.as_secs(), 7 * 24 * 60 * 60);
/// assert!(Ttl::from_secs(0).is_err());
/// assert_eq!(Ttl::from_secs(3_600)?.as_secs(), 3_600);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Ttl(u32);

impl Ttl {
    /// The shortest: one second.
    pub const MIN: Self = Self(1);
    /// The longest: 365 days.
    pub const MAX: Self = Self(365 * 24 * 60 * 60);
    /// Seven days: Polar's invitation lifetime, and the offers' too (ORG-13).
    pub const DEFAULT: Self = Self(7 * 24 * 60 * 60);

    /// A time to live of `seconds`.
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `ttl` outside one second to 365 days.
    pub fn from_secs(seconds: u64) -> Result<Self, Error> {
        u32::try_from(seconds)
            .ok()
            .filter(|seconds| (Self::MIN.0..=Self::MAX.0).contains(seconds))
            .map(Self)
            .ok_or_else(|| Error::invalid("ttl", "must be between 1 second and 365 days"))
    }

    /// A time to live of `delta`, in whole seconds (a fraction is dropped).
    ///
    /// # Errors
    ///
    /// `invalid_input` for the field `ttl` outside one second to 365 days.
    pub fn from_delta(delta: TimeDelta) -> Result<Self, Error> {
        let seconds = u64::try_from(delta.num_seconds()).map_err(|_| Error::invalid("ttl", "must not be negative"))?;
        Self::from_secs(seconds)
    }

    /// Its length in seconds.
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        self.0 as u64
    }

    /// Its length as a chrono duration.
    #[must_use]
    pub fn as_delta(self) -> TimeDelta {
        TimeDelta::seconds(i64::from(self.0))
    }
}

impl<'de> Deserialize<'de> for Ttl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::from_secs(u64::deserialize(deserializer)?).map_err(serde::de::Error::custom)
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
        assert_eq!(t.saturating_add(TimeDelta::MAX), Timestamp::MAX);
        assert_eq!(t.saturating_add(TimeDelta::MIN), Timestamp::MIN);
        assert_eq!(Timestamp::MAX.after(Ttl::MAX), Timestamp::MAX);
    }

    #[test]
    fn every_timestamp_the_crate_can_make_parses_back() {
        for t in [Timestamp::MIN, Timestamp::MAX, Timestamp::MAX.after(Ttl::MAX)] {
            assert_eq!(Timestamp::parse(&t.to_string()), Ok(t), "{t}");
            assert_eq!(Timestamp::from_unix_micros(t.unix_micros()), Ok(t));
        }
        assert_eq!(Timestamp::MIN.to_string(), "0001-01-01T00:00:00Z");
        assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59.999999Z");
        assert!(Timestamp::from_unix_micros(MAX_MICROS + 1).is_err());
        assert!(Timestamp::from_unix_micros(MIN_MICROS - 1).is_err());
        assert!(Timestamp::new(DateTime::<Utc>::MAX_UTC).is_err());
        assert!(Timestamp::parse("+10000-01-01T00:00:00Z").is_err());
    }

    #[test]
    fn unix_micros_round_trip() {
        let t = Timestamp::parse("2025-01-01T12:34:56.123456Z").unwrap();
        assert_eq!(t.unix_micros(), 1_735_734_896_123_456);
        assert_eq!(Timestamp::from_unix_micros(1_735_734_896_123_456), Ok(t));
        assert_eq!(Timestamp::from_unix_micros(0).unwrap().to_string(), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn ttls_are_bounded_to_a_second_through_365_days() {
        assert_eq!(Ttl::from_secs(1), Ok(Ttl::MIN));
        assert_eq!(Ttl::from_secs(31_536_000), Ok(Ttl::MAX));
        for bad in [0, 31_536_001, u64::MAX] {
            let error = Ttl::from_secs(bad).unwrap_err();
            assert_eq!((error.code(), error.field()), ("invalid_input", Some("ttl")), "{bad}");
        }
        assert!(Ttl::from_delta(TimeDelta::seconds(-1)).is_err());
        assert_eq!(Ttl::from_delta(TimeDelta::days(7)), Ok(Ttl::DEFAULT));
        assert_eq!(serde_json::to_string(&Ttl::DEFAULT).unwrap(), "604800");
        assert_eq!(serde_json::from_str::<Ttl>("604800").unwrap(), Ttl::DEFAULT);
        assert!(serde_json::from_str::<Ttl>("0").is_err());
        assert!(serde_json::from_str::<Ttl>("[604800,0]").is_err());
    }
}
