//! What is wrong with a cron expression croner refused, said in the terms of the README: how
//! many fields it takes, or which field holds a value out of its range.

use std::str::FromStr;

use croner::Cron;

/// Fields of a five-field expression, with what each takes.
const FIVE: [(&str, &str); 5] = [
    ("minute", "0–59"),
    ("hour", "0–23"),
    ("day-of-month", "1–31, L, W"),
    ("month", "1–12 or JAN–DEC"),
    ("day-of-week", "0–7 or SUN–SAT, L, #"),
];

/// The message for `expr`, which croner refused with `error`.
pub(super) fn explain(expr: &str, error: &croner::errors::CronError) -> String {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let names: Vec<(&str, &str)> = match fields.len() {
        _ if expr.starts_with('@') => {
            return format!(
                "\"{expr}\" is not one of @yearly, @monthly, @weekly, @daily or @hourly"
            );
        }
        5 => FIVE.to_vec(),
        6 => std::iter::once(("second", "0–59")).chain(FIVE).collect(),
        7 => std::iter::once(("second", "0–59"))
            .chain(FIVE)
            .chain(std::iter::once(("year", "a year")))
            .collect(),
        n => {
            return format!(
                "must have five fields (minute hour day-of-month month day-of-week), or six \
                 with seconds first; \"{expr}\" has {n}"
            );
        }
    };
    // Each field alone, the others any value: the first one croner refuses is the culprit.
    for (i, field) in fields.iter().enumerate() {
        let probe: Vec<&str> = (0..fields.len())
            .map(|j| if j == i { *field } else { "*" })
            .collect();
        if Cron::from_str(&probe.join(" ")).is_err() {
            let (name, allowed) = names[i];
            return format!("the {name} field \"{field}\" is not valid: it takes {allowed}");
        }
    }
    format!("is not a valid cron expression ({error})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(expr: &str) -> String {
        let error = Cron::from_str(expr).expect_err(expr);
        explain(expr, &error)
    }

    #[test]
    fn names_the_field_or_the_count() {
        assert_eq!(
            message("61 * * * *"),
            "the minute field \"61\" is not valid: it takes 0–59"
        );
        assert_eq!(
            message("0 0 25 * * *"),
            "the hour field \"25\" is not valid: it takes 0–23"
        );
        assert_eq!(
            message("* * * 13 *"),
            "the month field \"13\" is not valid: it takes 1–12 or JAN–DEC"
        );
        assert!(
            message("bad").starts_with("must have five fields"),
            "{}",
            message("bad")
        );
        assert!(message("@sometimes").contains("@daily"));
    }
}
