//! Publication dates as news data writes them.

use chrono::NaiveDate;

/// A date field read as collections read it: the date, or what is wrong
/// with it ("unrecognised date \"soon\" (document kept without a date)"),
/// for the caller to report with the record's place. See [`parse_date`].
pub fn read_date(raw: &str) -> Result<NaiveDate, String> {
    if raw.len() > MAX_DATE_LEN {
        return Err(format!(
            "date field of {} bytes is too long to be a date (document kept without a date)",
            raw.len()
        ));
    }
    parse_date(raw)
        .ok_or_else(|| format!("unrecognised date {raw:?} (document kept without a date)"))
}

/// Longest text read as a date (bytes, after trimming): the longest form
/// read, "Wednesday, September 25, 2024 10:00:00 +0000"-like, is well under.
pub const MAX_DATE_LEN: usize = 64;

/// Parses the date formats news data carries: ISO 8601 dates and
/// date-times (`2024-03-05`, `2024-03-05T10:00:00Z`), RFC 2822
/// (`Tue, 5 Mar 2024 10:00:00 +0000`), `2024/03/05`, `5 March 2024`,
/// `March 5, 2024`, `Mar 5, 2024` and `5 Mar 2024`. Anything else is `None`:
/// ambiguous forms such as `03/05/2024` are not guessed. Text longer than
/// [`MAX_DATE_LEN`] bytes is not a date: `None`, at once.
/// Years outside 1–9999 (year 0000, a negative year: no publication
/// date) are `None`; impossible days (`2023-02-29`, `31 April`) are too.
///
/// ```
/// use stance::input::parse_date;
/// let d = chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
/// assert_eq!(parse_date("2024-03-05T10:00:00Z"), Some(d));
/// assert_eq!(parse_date("March 5, 2024"), Some(d));
/// assert_eq!(parse_date("03/05/2024"), None);
/// ```
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    use chrono::Datelike;
    parse_date_any_year(s).filter(|d| (1..=9999).contains(&d.year()))
}

fn parse_date_any_year(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() > MAX_DATE_LEN {
        return None;
    }
    // "Tuesday, March 5, 2024" -> "March 5, 2024".
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let s = match s.split_once(", ") {
        Some((first, rest)) if DAYS.contains(&first.to_lowercase().as_str()) => rest,
        _ => s,
    };
    // "Sept. 5" -> "Sep 5".
    let s = s.replacen("Sept.", "Sep", 1).replacen("Sept ", "Sep ", 1);
    // "Mar. 5, 2024" -> "Mar 5, 2024".
    if let Some((month, rest)) = s.split_once(". ")
        && month.len() == 3
        && month.chars().all(|c| c.is_ascii_alphabetic())
        && let Some(d) = parse_date_plain(&format!("{month} {rest}"))
    {
        return Some(d);
    }
    parse_date_plain(&s)
}

/// The formats of [`parse_date`], without the rewriting of day and month
/// names.
fn parse_date_plain(s: &str) -> Option<NaiveDate> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(d.date_naive());
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(s) {
        return Some(d.date_naive());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return Some(d.date());
        }
    }
    for fmt in [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%d %B %Y",
        "%B %d, %Y",
        "%b %d, %Y",
        "%d %b %Y",
        "%B %d %Y",
        "%b. %d, %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        for s in [
            "2024-03-05",
            "2024/03/05",
            "2024-03-05 08:00:00",
            "Tue, 5 Mar 2024 10:00:00 +0000",
            "5 March 2024",
            "Mar 5, 2024",
            "5 Mar 2024",
            "2024-03-05T23:30:00+01:00",
            "Tuesday, March 5, 2024",
            "Mar. 5, 2024",
            "2024-03-05T10:00:00.123Z",
        ] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        assert_eq!(
            parse_date("Sept. 5, 2024"),
            NaiveDate::from_ymd_opt(2024, 9, 5)
        );
        for s in ["yesterday", "03/05/2024", "2024-13-01", ""] {
            assert_eq!(parse_date(s), None, "{s}");
        }
        assert_eq!(
            parse_date("Wednesday, Sept. 25, 2024"),
            NaiveDate::from_ymd_opt(2024, 9, 25)
        );
        // Each "Sept." was one more level of recursion: 240 KB of them
        // overflowed the stack.
        assert_eq!(parse_date(&"Sept. ".repeat(40_000)), None);
    }
}
