//! Charts drawn on the server as SVG, one viewBox unit a CSS pixel: the
//! SVG is as wide as its viewBox (300) and only shrinks on a screen
//! narrower than that, so the text stays 12–14 px at every width and each
//! value has room beside its longest bar. Every chart carries its table
//! twin, the same figures as text.

use crate::web::labels;

/// Width of every chart, in viewBox units (= CSS px at full size).
pub const WIDTH: u32 = 300;
/// Room kept right of the longest bar for its value.
const VALUE_ROOM: u32 = 56;
/// One bar's row: its label line, then the bar with its value.
const ROW: u32 = 42;

pub struct Bar {
    pub label: String,
    pub value: String,
    pub width: u32,
    pub label_y: u32,
    pub bar_y: u32,
    pub value_x: u32,
    pub value_y: u32,
    pub class: &'static str,
    pub link: String,
}

pub struct BarChart {
    pub title: String,
    pub height: u32,
    pub bars: Vec<Bar>,
}

/// One bar to draw: label, value, colour class, link (empty for none).
pub struct BarInput {
    pub label: String,
    pub value: i64,
    pub class: &'static str,
    pub link: String,
}

impl BarInput {
    pub fn new(label: &str, value: i64, class: &'static str, link: String) -> BarInput {
        BarInput {
            label: label.to_string(),
            value,
            class,
            link,
        }
    }
}

pub fn bar_chart(title: &str, items: Vec<BarInput>) -> BarChart {
    let max = items.iter().map(|i| i.value).max().unwrap_or(0).max(1);
    let room = i64::from(WIDTH - VALUE_ROOM);
    let bars: Vec<Bar> = items
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let top = u32::try_from(i).unwrap_or(0) * ROW;
            let width = u32::try_from(b.value.max(0) * room / max).unwrap_or(0);
            Bar {
                label: b.label,
                value: labels::int(b.value),
                width,
                label_y: top + 14,
                bar_y: top + 20,
                value_x: width + 4,
                value_y: top + 32,
                class: b.class,
                link: b.link,
            }
        })
        .collect();
    BarChart {
        title: title.to_string(),
        height: u32::try_from(bars.len()).unwrap_or(0) * ROW + 4,
        bars,
    }
}

/// A small line chart of shares (0–100 %) over periods, with its rows for
/// the table twin.
pub struct LineChart {
    pub title: String,
    pub lines: Vec<Line>,
    /// Labels under the axis: x, text, anchor.
    pub ticks: Vec<(u32, String, &'static str)>,
    pub rows: Vec<Vec<String>>,
    pub columns: Vec<String>,
}

pub struct Line {
    pub class: &'static str,
    pub label: String,
    pub points: String,
    /// Each point as (x, y), for dots.
    pub dots: Vec<(u32, u32)>,
}

pub const LINE_HEIGHT: u32 = 150;
const PLOT_LEFT: u32 = 48;
const PLOT_RIGHT: u32 = 290;
const PLOT_TOP: u32 = 12;
const PLOT_BOTTOM: u32 = 120;

/// One series: its class, its name, and a share (0–1) per period, `None`
/// where the period has nothing to count.
pub struct Series {
    pub class: &'static str,
    pub label: String,
    pub values: Vec<Option<f64>>,
}

/// Periods (`short` label for the axis, `long` for the table), oldest
/// first, with the series over them.
pub fn line_chart(title: &str, periods: &[(String, String)], series: Vec<Series>) -> LineChart {
    let n = periods.len().max(1);
    let step = if n > 1 {
        (PLOT_RIGHT - PLOT_LEFT) as f64 / (n - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| PLOT_LEFT + (i as f64 * step).round() as u32;
    let y_of = |v: f64| {
        let v = v.clamp(0.0, 1.0);
        PLOT_BOTTOM - ((PLOT_BOTTOM - PLOT_TOP) as f64 * v).round() as u32
    };
    let lines = series
        .iter()
        .map(|s| {
            let dots: Vec<(u32, u32)> = s
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (x_of(i), y_of(v))))
                .collect();
            Line {
                class: s.class,
                label: s.label.clone(),
                points: dots
                    .iter()
                    .map(|(x, y)| format!("{x},{y}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                dots,
            }
        })
        .collect();
    // Every fourth period from the newest is named under the axis.
    let last = periods.len().saturating_sub(1);
    let ticks = periods
        .iter()
        .enumerate()
        .filter(|(i, _)| (last - i).is_multiple_of(4))
        .map(|(i, p)| {
            let anchor = if i == last && i > 0 { "end" } else { "middle" };
            let anchor = if i == 0 && last > 0 { "start" } else { anchor };
            (x_of(i), p.0.clone(), anchor)
        })
        .collect();
    let mut columns = vec!["Kỳ".to_string()];
    columns.extend(series.iter().map(|s| s.label.clone()));
    let rows = periods
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut row = vec![p.1.clone()];
            row.extend(series.iter().map(|s| {
                s.values
                    .get(i)
                    .copied()
                    .flatten()
                    .map(labels::percent_of_rate)
                    .unwrap_or_else(|| "—".into())
            }));
            row
        })
        .collect();
    LineChart {
        title: title.to_string(),
        lines,
        ticks,
        rows,
        columns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_bar_leaves_room_for_its_value() {
        let c = bar_chart(
            "x",
            vec![
                BarInput::new("a", 13, "bad", String::new()),
                BarInput::new("b", 0, "good", String::new()),
            ],
        );
        let longest = &c.bars[0];
        assert_eq!(longest.value, "13");
        // Five digits and their dots at 13 px fit in the room left.
        assert!(longest.value_x + 48 <= WIDTH, "{}", longest.value_x);
        assert_eq!(c.bars[1].width, 0);
        assert!(c.height >= c.bars[1].value_y + 4);
    }

    #[test]
    fn a_line_chart_names_every_fourth_period_and_keeps_gaps() {
        let periods: Vec<(String, String)> = (1..=12)
            .map(|m| (format!("{m}/26"), format!("Tháng {m}/2026")))
            .collect();
        let values = (1..=12)
            .map(|m| (m != 5).then_some(f64::from(m) / 12.0))
            .collect();
        let c = line_chart(
            "t",
            &periods,
            vec![Series {
                class: "good",
                label: "Đúng hạn".into(),
                values,
            }],
        );
        assert_eq!(c.ticks.len(), 3);
        assert_eq!(c.ticks.last().map(|t| t.2), Some("end"));
        assert_eq!(c.lines[0].dots.len(), 11);
        assert_eq!(c.rows[4][1], "—");
        assert_eq!(c.rows[11][1], "100%");
        assert!(
            c.lines[0]
                .dots
                .iter()
                .all(|(x, y)| *x <= WIDTH && *y <= LINE_HEIGHT)
        );
    }
}
