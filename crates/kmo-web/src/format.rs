//! How the pages write dates and deadlines (amounts use `Cents`' own `€ 1.234,56`).

use kmo_domain::Date;

use crate::i18n::T;

/// `17/03/2025`, as Belgians write a date in both languages.
#[must_use]
pub fn date(d: Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{day:02}/{m:02}/{y:04}")
}

/// How far a deadline is: `nog 5 dagen`, `vandaag`, `verstreken`; and whether it is close
/// (three days or less, or passed).
#[must_use]
pub fn countdown(t: &T, today: Date, deadline: Date) -> (String, bool) {
    let days = today.days_until(deadline);
    let text = match days {
        d if d < 0 => t.overdue.to_owned(),
        0 => t.today.to_owned(),
        d => format!("{d} {}", t.days_left),
    };
    (text, days <= 3)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;
    use kmo_domain::codes::Lang;

    #[test]
    fn dates_are_day_month_year_and_deadlines_count_down() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(date(d("2025-03-07")), "07/03/2025");
        let t = T::of(Lang::Nl);
        assert_eq!(
            countdown(t, d("2025-03-01"), d("2025-03-15")),
            ("14 dagen".into(), false)
        );
        assert_eq!(
            countdown(t, d("2025-03-12"), d("2025-03-15")),
            ("3 dagen".into(), true)
        );
        assert_eq!(
            countdown(t, d("2025-03-15"), d("2025-03-15")),
            ("vandaag".into(), true)
        );
        assert_eq!(
            countdown(t, d("2025-03-16"), d("2025-03-15")),
            ("verstreken".into(), true)
        );
    }
}
