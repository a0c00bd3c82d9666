//! A plain-text results table: metric, baseline, result, ratio.

/// Rows of (metric, baseline, result); the ratio is result ÷ baseline.
#[derive(Debug, Default)]
pub struct Table {
    title: String,
    baseline_name: String,
    result_name: String,
    rows: Vec<(String, f64, f64, String)>,
    notes: Vec<String>,
}

impl Table {
    pub fn new(title: &str, baseline_name: &str, result_name: &str) -> Self {
        Self {
            title: title.into(),
            baseline_name: baseline_name.into(),
            result_name: result_name.into(),
            ..Self::default()
        }
    }

    /// Adds a row; `unit` follows the numbers (e.g. `req/s`).
    pub fn row(&mut self, metric: &str, baseline: f64, result: f64, unit: &str) {
        self.rows.push((metric.into(), baseline, result, unit.into()));
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Markdown, so the README can carry it verbatim.
    pub fn render(&self) -> String {
        let mut out = format!("### {}\n\n", self.title);
        out.push_str(&format!(
            "| metric | {} | {} | ratio |\n|---|---:|---:|---:|\n",
            self.baseline_name, self.result_name
        ));
        for (metric, baseline, result, unit) in &self.rows {
            let ratio = match result / baseline {
                _ if *baseline <= 0.0 => "–".into(),
                ratio if ratio < 0.1 => format!("{ratio:.4}×"),
                ratio => format!("{ratio:.2}×"),
            };
            out.push_str(&format!("| {metric} | {} {unit} | {} {unit} | {ratio} |\n", fmt(*baseline), fmt(*result)));
        }
        for note in &self.notes {
            out.push_str(&format!("\n{note}"));
        }
        out.push('\n');
        out
    }
}

fn fmt(value: f64) -> String {
    if value >= 100.0 { format!("{value:.0}") } else { format!("{value:.2}") }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_ratio() {
        let mut table = super::Table::new("T", "base", "ours");
        table.row("reads", 100.0, 250.0, "req/s");
        table.row("none", 0.0, 1.0, "s");
        table.row("calls", 8000.0, 40.0, "calls");
        let text = table.render();
        assert!(text.contains("| reads | 100 req/s | 250 req/s | 2.50× |"), "{text}");
        assert!(text.contains("| none | 0.00 s | 1.00 s | – |"));
        assert!(text.contains("| calls | 8000 calls | 40.00 calls | 0.0050× |"), "small ratios keep their digits");
    }
}
