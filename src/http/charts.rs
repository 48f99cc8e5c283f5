//! Charts drawn as inline SVG on the server: no script, no third party,
//! readable by screen readers through their titles (and a table beside them).

use crate::services::donations::MonthIncome;

/// Bars for readers and grants per month; heights scaled to the largest month.
/// `id` names the chart's title (unique on its page).
pub fn income_chart(
    months: &[MonthIncome],
    readers_label: &str,
    grants_label: &str,
    id: &str,
) -> String {
    let (width, height, bar) = (720i64, 220i64, 24i64);
    let top = months
        .iter()
        .map(|m| m.readers_minor.max(0) + m.grants_minor.max(0))
        .max()
        .unwrap_or(0)
        .max(1);
    let step = width / months.len().max(1) as i64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {}\" role=\"img\" aria-labelledby=\"{id}\" class=\"chart\">\
         <title id=\"{id}\">{readers_label} / {grants_label}</title>",
        height + 40
    );
    for (i, month) in months.iter().enumerate() {
        let x = i as i64 * step + (step - bar) / 2;
        let readers = month.readers_minor.max(0) * height / top;
        let grants = month.grants_minor.max(0) * height / top;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{grants}\" class=\"chart__grants\"><title>{} {grants_label}</title></rect>\
             <rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{readers}\" class=\"chart__readers\"><title>{} {readers_label}</title></rect>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"chart__label\">{}</text>",
            height - readers - grants,
            month.label,
            height - readers,
            month.label,
            x + bar / 2,
            height + 18,
            &month.label[5..],
        ));
    }
    svg.push_str("</svg>");
    svg
}
