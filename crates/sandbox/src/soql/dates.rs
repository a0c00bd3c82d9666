//! Relative date literals (`TODAY`, `LAST_N_DAYS:n`, `THIS_MONTH`, ...): each names a
//! half-open range of whole calendar periods counted from the period containing today.

use chrono::{Datelike, Days, Months, NaiveDate};

/// The calendar period a relative literal counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Day,
    /// [unconfirmed] Weeks start on Sunday (en_US); Salesforce uses the user's locale.
    Week,
    Month,
    Quarter,
    Year,
}

/// A relative date literal: `len` periods starting `start` periods after the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelativeDate {
    pub unit: Unit,
    pub start: i64,
    pub len: i64,
}

/// Literals without a parameter: (name, unit, start, len).
const FIXED: &[(&str, Unit, i64, i64)] = &[
    ("YESTERDAY", Unit::Day, -1, 1),
    ("TODAY", Unit::Day, 0, 1),
    ("TOMORROW", Unit::Day, 1, 1),
    // "starts with the current day and continues for the past 90 days": 91 days.
    ("LAST_90_DAYS", Unit::Day, -90, 91),
    ("NEXT_90_DAYS", Unit::Day, 1, 90),
    ("LAST_WEEK", Unit::Week, -1, 1),
    ("THIS_WEEK", Unit::Week, 0, 1),
    ("NEXT_WEEK", Unit::Week, 1, 1),
    ("LAST_MONTH", Unit::Month, -1, 1),
    ("THIS_MONTH", Unit::Month, 0, 1),
    ("NEXT_MONTH", Unit::Month, 1, 1),
    ("LAST_QUARTER", Unit::Quarter, -1, 1),
    ("THIS_QUARTER", Unit::Quarter, 0, 1),
    ("NEXT_QUARTER", Unit::Quarter, 1, 1),
    ("LAST_YEAR", Unit::Year, -1, 1),
    ("THIS_YEAR", Unit::Year, 0, 1),
    ("NEXT_YEAR", Unit::Year, 1, 1),
];

/// Parameterised literals (`NAME:n`): (name, unit, shape).
const PARAMETERISED: &[(&str, Unit, Shape)] = &[
    ("LAST_N_DAYS", Unit::Day, Shape::LastIncludingCurrent),
    ("NEXT_N_DAYS", Unit::Day, Shape::Next),
    ("N_DAYS_AGO", Unit::Day, Shape::Ago),
    ("LAST_N_WEEKS", Unit::Week, Shape::Last),
    ("NEXT_N_WEEKS", Unit::Week, Shape::Next),
    ("N_WEEKS_AGO", Unit::Week, Shape::Ago),
    ("LAST_N_MONTHS", Unit::Month, Shape::Last),
    ("NEXT_N_MONTHS", Unit::Month, Shape::Next),
    ("N_MONTHS_AGO", Unit::Month, Shape::Ago),
    ("LAST_N_QUARTERS", Unit::Quarter, Shape::Last),
    ("NEXT_N_QUARTERS", Unit::Quarter, Shape::Next),
    ("N_QUARTERS_AGO", Unit::Quarter, Shape::Ago),
    ("LAST_N_YEARS", Unit::Year, Shape::Last),
    ("NEXT_N_YEARS", Unit::Year, Shape::Next),
    ("N_YEARS_AGO", Unit::Year, Shape::Ago),
];

#[derive(Debug, Clone, Copy)]
enum Shape {
    /// The current period and the `n` before it (`LAST_N_DAYS:1` = yesterday and today).
    LastIncludingCurrent,
    /// The `n` periods before the current one ([unconfirmed] for weeks, months, quarters
    /// and years: read as excluding the current period, like `LAST_MONTH`).
    Last,
    /// The `n` periods after the current one.
    Next,
    /// Only the period `n` before the current one.
    Ago,
}

impl RelativeDate {
    /// A literal that takes no parameter, by case-insensitive name.
    pub(crate) fn fixed(name: &str) -> Option<Self> {
        FIXED.iter().find(|(n, ..)| n.eq_ignore_ascii_case(name)).map(|&(_, unit, start, len)| RelativeDate {
            unit,
            start,
            len,
        })
    }

    /// Whether `name` is a parameterised literal that must be followed by `:n`.
    pub(crate) fn takes_parameter(name: &str) -> bool {
        PARAMETERISED.iter().any(|(n, ..)| n.eq_ignore_ascii_case(name))
    }

    /// A parameterised literal `name:n`.
    pub(crate) fn with_parameter(name: &str, n: u32) -> Option<Self> {
        let (_, unit, shape) = PARAMETERISED.iter().find(|(p, ..)| p.eq_ignore_ascii_case(name))?;
        let n = i64::from(n);
        let (start, len) = match shape {
            Shape::LastIncludingCurrent => (-n, n + 1),
            Shape::Last => (-n, n),
            Shape::Next => (1, n),
            Shape::Ago => (-n, 1),
        };
        Some(RelativeDate { unit: *unit, start, len })
    }

    /// The half-open day range `[first, end)` this literal covers when today is `today`.
    pub fn range(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let base = period_start(self.unit, today);
        let first = shift(self.unit, base, self.start);
        (first, shift(self.unit, base, self.start.saturating_add(self.len)))
    }
}

fn period_start(unit: Unit, day: NaiveDate) -> NaiveDate {
    let from_first = |d: Option<NaiveDate>| d.unwrap_or(day);
    match unit {
        Unit::Day => day,
        Unit::Week => {
            let back = u64::from(day.weekday().num_days_from_sunday());
            from_first(day.checked_sub_days(Days::new(back)))
        }
        Unit::Month => from_first(day.with_day(1)),
        Unit::Quarter => from_first(NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1)),
        Unit::Year => from_first(NaiveDate::from_ymd_opt(day.year(), 1, 1)),
    }
}

/// `base` moved by `count` periods, saturating at chrono's representable range.
fn shift(unit: Unit, base: NaiveDate, count: i64) -> NaiveDate {
    let (days, months) = match unit {
        Unit::Day => (1, 0),
        Unit::Week => (7, 0),
        Unit::Month => (0, 1),
        Unit::Quarter => (0, 3),
        Unit::Year => (0, 12),
    };
    let steps = count.unsigned_abs();
    let moved = if months == 0 {
        let days = Days::new(steps.saturating_mul(days));
        if count < 0 { base.checked_sub_days(days) } else { base.checked_add_days(days) }
    } else {
        let months = Months::new(u32::try_from(steps.saturating_mul(months)).unwrap_or(u32::MAX));
        if count < 0 { base.checked_sub_months(months) } else { base.checked_add_months(months) }
    };
    moved.unwrap_or(if count < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    /// Wednesday 2026-11-25.
    fn today() -> NaiveDate {
        day(2026, 11, 25)
    }

    fn fixed(name: &str) -> (NaiveDate, NaiveDate) {
        RelativeDate::fixed(name).map(|r| r.range(today())).unwrap_or_default()
    }

    fn param(name: &str, n: u32) -> (NaiveDate, NaiveDate) {
        RelativeDate::with_parameter(name, n).map(|r| r.range(today())).unwrap_or_default()
    }

    #[test]
    fn single_days() {
        assert_eq!(fixed("today"), (day(2026, 11, 25), day(2026, 11, 26)));
        assert_eq!(fixed("YESTERDAY"), (day(2026, 11, 24), day(2026, 11, 25)));
        assert_eq!(fixed("Tomorrow"), (day(2026, 11, 26), day(2026, 11, 27)));
    }

    #[test]
    fn last_n_days_includes_today_and_next_n_days_starts_tomorrow() {
        assert_eq!(param("LAST_N_DAYS", 1), (day(2026, 11, 24), day(2026, 11, 26)));
        assert_eq!(param("last_n_days", 30), (day(2026, 10, 26), day(2026, 11, 26)));
        assert_eq!(param("NEXT_N_DAYS", 7), (day(2026, 11, 26), day(2026, 12, 3)));
        assert_eq!(param("N_DAYS_AGO", 3), (day(2026, 11, 22), day(2026, 11, 23)));
        assert_eq!(fixed("LAST_90_DAYS"), (day(2026, 8, 27), day(2026, 11, 26)));
    }

    #[test]
    fn calendar_periods() {
        assert_eq!(fixed("THIS_WEEK"), (day(2026, 11, 22), day(2026, 11, 29)));
        assert_eq!(fixed("LAST_WEEK"), (day(2026, 11, 15), day(2026, 11, 22)));
        assert_eq!(fixed("NEXT_MONTH"), (day(2026, 12, 1), day(2027, 1, 1)));
        assert_eq!(fixed("THIS_QUARTER"), (day(2026, 10, 1), day(2027, 1, 1)));
        assert_eq!(fixed("LAST_YEAR"), (day(2025, 1, 1), day(2026, 1, 1)));
        assert_eq!(param("LAST_N_MONTHS", 2), (day(2026, 9, 1), day(2026, 11, 1)));
        assert_eq!(param("NEXT_N_WEEKS", 1), (day(2026, 11, 29), day(2026, 12, 6)));
    }

    #[test]
    fn names_are_classified_and_huge_parameters_saturate() {
        assert!(RelativeDate::takes_parameter("last_n_days"));
        assert!(!RelativeDate::takes_parameter("TODAY"));
        assert_eq!(RelativeDate::fixed("LAST_N_DAYS"), None);
        assert_eq!(RelativeDate::fixed("THIS_FISCAL_YEAR"), None);
        assert_eq!(param("LAST_N_DAYS", u32::MAX).0, NaiveDate::MIN);
        assert_eq!(param("NEXT_N_YEARS", u32::MAX).1, NaiveDate::MAX);
    }
}
