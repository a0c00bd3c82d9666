//! An error and its causes as one line, each cause said once. Many errors
//! (sqlx's among them) already print their cause in their own message and
//! return it as `source()` too, so a plain walk down the chain repeats it.

use std::error::Error;

/// `error: cause: cause …`, skipping every cause whose text is already in the line.
pub fn report(error: &(dyn Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(current) = cause {
        let text = current.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = current.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::report;

    #[derive(Debug, thiserror::Error)]
    #[error("error communicating with database: {0}")]
    struct Repeats(#[source] std::io::Error);

    #[test]
    fn a_cause_already_in_the_message_is_said_once() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused (os error 111)");
        let error = anyhow::Error::from(Repeats(refused)).context("cannot open the database");
        assert_eq!(format!("{error:#}").matches("Connection refused").count(), 2, "the plain chain repeats");
        assert_eq!(
            report(error.as_ref()),
            "cannot open the database: error communicating with database: Connection refused (os error 111)"
        );
    }

    #[test]
    fn causes_not_in_the_message_are_kept_in_order() {
        let error = anyhow::anyhow!("disk full").context("cannot write the key").context("cannot start");
        assert_eq!(report(error.as_ref()), "cannot start: cannot write the key: disk full");
    }
}
