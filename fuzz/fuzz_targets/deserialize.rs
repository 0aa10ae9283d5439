//! Every `Deserialize` type: whatever parses must serialize and parse back equal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use membership::customer::{self, Customer, Member};
use membership::organization::{self, Organization};
use membership::wire::{ListResource, PolarErrorBody, Webhook};
use membership::{Email, Timestamp, Ttl};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(json: &str) {
    if let Ok(value) = serde_json::from_str::<T>(json) {
        let written = serde_json::to_string(&value).expect("a parsed value serializes");
        let again: T = serde_json::from_str(&written).expect("what was written parses back");
        assert_eq!(again, value);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else { return };
    round_trip::<organization::Event>(json);
    round_trip::<Vec<organization::Event>>(json);
    round_trip::<organization::Command>(json);
    round_trip::<Organization>(json);
    round_trip::<organization::Snapshot>(json);
    round_trip::<customer::Event>(json);
    round_trip::<customer::Command>(json);
    round_trip::<Customer>(json);
    round_trip::<customer::Snapshot>(json);
    round_trip::<Member>(json);
    round_trip::<Email>(json);
    round_trip::<Timestamp>(json);
    round_trip::<Ttl>(json);
    round_trip::<Webhook>(json);
    round_trip::<ListResource<Member>>(json);
    round_trip::<PolarErrorBody>(json);
    // Request bodies only read: they must never panic, whatever they are sent.
    let member_id = membership::MemberId::new(uuid::Uuid::nil());
    if let Ok(body) = serde_json::from_str::<membership::wire::MemberCreateBody>(json) {
        let _ = body.into_command(member_id);
    }
    if let Ok(body) = serde_json::from_str::<membership::wire::MemberUpdateBody>(json) {
        let _ = body.into_update();
    }
    if let Ok(query) = serde_json::from_str::<membership::wire::ListQuery>(json) {
        let _ = query.into_paging();
    }
});
