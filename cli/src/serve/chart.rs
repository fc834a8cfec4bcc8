//! Rate charts as SVG, drawn here from the samples: the page needs no chart library and nothing
//! is fetched from anywhere at run time.

use std::fmt::Write;

use super::history::{Rates, Sample};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 160.0;
const MARGIN: f64 = 36.0;

/// A line of the chart: its label, colour and value.
type Series = (&'static str, &'static str, fn(&Rates) -> f64);

/// The series drawn.
const SERIES: [Series; 5] = [
    ("enqueued/s", "#2f7ed8", |r| r.enqueued),
    ("acked/s", "#1aaf5d", |r| r.acked),
    ("failures/s", "#d9534f", |r| r.failures),
    ("retries/s", "#f0ad4e", |r| r.retries),
    ("full/s", "#8e44ad", |r| r.full),
];

/// A chart of the per-second rates between consecutive samples over `seconds`.
pub fn rates_svg(samples: &[Sample], seconds: f64) -> String {
    let rates: Vec<(f64, Rates)> = samples
        .windows(2)
        .map(|pair| (pair[1].at, pair[1].rates_since(&pair[0])))
        .collect();
    let end = samples.last().map_or(0.0, |sample| sample.at);
    let start = end - seconds;
    let top = rates
        .iter()
        .flat_map(|(_, rate)| SERIES.iter().map(move |(_, _, value)| value(rate)))
        .fold(1.0_f64, f64::max)
        * 1.1;
    let x = |at: f64| MARGIN + (at - start) / seconds * (WIDTH - 2.0 * MARGIN);
    let y = |value: f64| HEIGHT - MARGIN / 2.0 - value / top * (HEIGHT - MARGIN);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"{WIDTH}\" height=\"{HEIGHT}\" font-family=\"sans-serif\" font-size=\"10\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
    );
    let _ = write!(
        svg,
        "<line x1=\"{MARGIN}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#999\"/>\
         <text x=\"2\" y=\"{t}\">{top:.0}</text><text x=\"2\" y=\"{b}\">0</text>\
         <text x=\"{MARGIN}\" y=\"{HEIGHT}\">-{minutes:.0} min</text>\
         <text x=\"{r2}\" y=\"{HEIGHT}\">now</text>",
        b = y(0.0),
        r = WIDTH - MARGIN,
        r2 = WIDTH - MARGIN - 14.0,
        t = y(top) + 10.0,
        minutes = seconds / 60.0,
    );
    for (index, (label, colour, value)) in SERIES.iter().enumerate() {
        let points: Vec<String> = rates
            .iter()
            .filter(|(at, _)| *at >= start)
            .map(|(at, rate)| format!("{:.1},{:.1}", x(*at), y(value(rate))))
            .collect();
        if !points.is_empty() {
            let _ = write!(
                svg,
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{}\"/>",
                points.join(" ")
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"10\" fill=\"{colour}\">{label}</text>",
            MARGIN + index as f64 * 90.0
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_line_per_series_that_has_points() {
        let samples: Vec<Sample> = (0..10)
            .map(|i| Sample {
                at: i as f64,
                enqueued: i * 10,
                ..Sample::default()
            })
            .collect();
        let svg = rates_svg(&samples, 900.0);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), SERIES.len());
        assert!(svg.contains("enqueued/s"));
    }

    #[test]
    fn no_samples_gives_an_empty_chart_not_a_panic() {
        let svg = rates_svg(&[], 900.0);
        assert_eq!(svg.matches("<polyline").count(), 0);
    }
}
