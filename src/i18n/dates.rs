//! Dates and times as each language writes them, in the newsroom's zone.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{Arg, Locale};

fn zoned(ts: i64, tz: &TimeZone) -> jiff::Zoned {
    Timestamp::from_second(ts)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone())
}

impl Locale {
    /// "25 листопада 2026" / "25 November 2026".
    pub fn date(&self, ts: i64, tz: &TimeZone) -> String {
        let z = zoned(ts, tz);
        self.format(
            "date",
            &[
                ("day", Arg::Number(z.day().into())),
                (
                    "month",
                    Arg::Text(&self.text(&format!("month_{}", z.month()))),
                ),
                ("year", Arg::Number(z.year().into())),
            ],
        )
    }

    /// "25 листопада 2026, 14:05" / "25 November 2026, 14:05".
    pub fn datetime(&self, ts: i64, tz: &TimeZone) -> String {
        self.format(
            "datetime",
            &[
                ("date", Arg::Text(&self.date(ts, tz))),
                ("time", Arg::Text(&format_time(ts, tz))),
            ],
        )
    }

    /// A day heading: "Сьогодні", "Вчора" or "понеділок, 23 листопада".
    pub fn day_heading(&self, ts: i64, now: i64, tz: &TimeZone) -> String {
        let day = zoned(ts, tz).date();
        let today = zoned(now, tz).date();
        if day == today {
            return self.text("today");
        }
        if today.yesterday().ok() == Some(day) {
            return self.text("yesterday");
        }
        let weekday = day.weekday().to_monday_one_offset();
        self.format(
            "day_heading",
            &[
                (
                    "weekday",
                    Arg::Text(&self.text(&format!("weekday_{weekday}"))),
                ),
                ("day", Arg::Number(day.day().into())),
                (
                    "month",
                    Arg::Text(&self.text(&format!("month_{}", day.month()))),
                ),
            ],
        )
    }
}

/// "14:05": every language the newsroom publishes in uses the 24-hour clock.
pub fn format_time(ts: i64, tz: &TimeZone) -> String {
    let z = zoned(ts, tz);
    format!("{:02}:{:02}", z.hour(), z.minute())
}

/// A Unix time as RFC 3339 in UTC (JSON-LD, ActivityStreams, `<time datetime>`).
pub fn rfc3339(ts: i64) -> String {
    Timestamp::from_second(ts)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// The calendar day of a timestamp in the newsroom's zone, as (year, month, day).
pub fn local_date(ts: i64, tz: &TimeZone) -> (i16, i8, i8) {
    let d = zoned(ts, tz).date();
    (d.year(), d.month(), d.day())
}
