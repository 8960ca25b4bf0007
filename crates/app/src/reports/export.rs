//! A report as a file: CSV (UTF-8 with a byte-order mark, so Excel opens the Chinese
//! headers right) and XLSX (rust_xlsxwriter, MIT OR Apache-2.0) laid out as an office hands
//! it in: the title, unit, period and generated/submitted time in merged rows above the
//! table, Chinese headers, column widths, amounts in yuan with two decimals (stored in
//! fen), the header frozen.
//!
//! Both are built in memory (no I/O): the adapters write the bytes to a file or a response.

use chrono::{DateTime, Duration, Utc};
use rust_xlsxwriter::{Format as XFormat, FormatAlign, FormatBorder, Workbook, XlsxError};
use wangjian_domain::report::{Cell, Format, ReportTable};

use crate::error::AppError;

/// When the figures were frozen, for the title rows of a submitted report.
#[derive(Debug, Clone, Copy)]
pub struct Submitted<'a> {
    /// When.
    pub at: DateTime<Utc>,
    /// The SHA-256 of the frozen figures.
    pub digest: &'a str,
}

/// China's time of an instant, `2026-12-04 17:30`.
pub fn china_time(t: DateTime<Utc>) -> String {
    (t + Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The rows above the table: title, unit, period (with up to when), generated or submitted.
pub fn title_rows(t: &ReportTable, submitted: Option<Submitted<'_>>) -> [String; 4] {
    let unit = if t.aggregate {
        format!("填报单位:{}(汇总 {} 地区)", t.unit_name, t.region.as_str())
    } else {
        format!("填报单位:{}", t.unit_name)
    };
    let last = match submitted {
        Some(s) => format!("报送时间:{}   SHA-256:{}", china_time(s.at), s.digest),
        None => "生成时间:未报送(预览)".to_string(),
    };
    [
        t.title(),
        unit,
        format!(
            "统计期间:{}   数据截至:{}",
            t.period.label_zh(),
            china_time(t.as_of)
        ),
        last,
    ]
}

/// Guards a text cell against formula injection when a spreadsheet opens the CSV
/// (OWASP: a cell starting with `=`, `+`, `-`, `@`, tab or CR is taken as a formula).
fn defuse(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The table as CSV: a byte-order mark, the header row (Chinese), one line per row;
/// amounts in yuan with two decimals; CRLF line ends (RFC 4180).
pub fn to_csv(t: &ReportTable) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = t.columns.iter().map(|c| csv_field(&c.zh)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in &t.rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&t.columns)
            .map(|(cell, col)| {
                let s = cell.display(col.format);
                let s = if col.format == Format::Text {
                    defuse(&s)
                } else {
                    s
                };
                csv_field(&s)
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The first row of the table's header in the XLSX (0-based): after the four title rows.
pub const XLSX_HEADER_ROW: u32 = 4;

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Unavailable(format!("writing the spreadsheet: {e}"))
}

/// The table as an XLSX workbook (one sheet named after the report).
pub fn to_xlsx(t: &ReportTable, submitted: Option<Submitted<'_>>) -> Result<Vec<u8>, AppError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(t.kind.label_zh().chars().take(31).collect::<String>())
        .map_err(xlsx_error)?;
    let ncols = t.columns.len().max(1) as u16;
    let last_col = ncols - 1;
    let font = "宋体";
    let title = XFormat::new()
        .set_font_name(font)
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let info = XFormat::new()
        .set_font_name(font)
        .set_align(FormatAlign::Left);
    let header = XFormat::new()
        .set_font_name(font)
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0xD9E1F2)
        .set_border(FormatBorder::Thin);
    let text = XFormat::new()
        .set_font_name(font)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let count = text.clone().set_num_format("0");
    let yuan = text.clone().set_num_format("#,##0.00");
    let rows = title_rows(t, submitted);
    for (i, line) in rows.iter().enumerate() {
        let f = if i == 0 { &title } else { &info };
        if last_col == 0 {
            ws.write_string_with_format(i as u32, 0, line, f)
                .map_err(xlsx_error)?;
        } else {
            ws.merge_range(i as u32, 0, i as u32, last_col, line, f)
                .map_err(xlsx_error)?;
        }
    }
    ws.set_row_height(0, 28).map_err(xlsx_error)?;
    for (c, col) in t.columns.iter().enumerate() {
        ws.set_column_width(c as u16, f64::from(col.width))
            .map_err(xlsx_error)?;
        ws.write_string_with_format(XLSX_HEADER_ROW, c as u16, &col.zh, &header)
            .map_err(xlsx_error)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let rn = XLSX_HEADER_ROW + 1 + r as u32;
        for (c, (cell, col)) in row.iter().zip(&t.columns).enumerate() {
            let c = c as u16;
            match (cell, col.format) {
                (Cell::Int(v), Format::Fen) => {
                    ws.write_number_with_format(rn, c, *v as f64 / 100.0, &yuan)
                }
                (Cell::Int(v), _) => ws.write_number_with_format(rn, c, *v as f64, &count),
                (Cell::Text(s), _) => ws.write_string_with_format(rn, c, s, &text),
                (Cell::Empty, _) => ws.write_blank(rn, c, &text),
            }
            .map_err(xlsx_error)?;
        }
    }
    let first_note = XLSX_HEADER_ROW + 1 + t.rows.len() as u32;
    for (row, note) in (first_note..).zip(&t.notes) {
        ws.write_string_with_format(row, 0, format!("说明:{note}"), &info)
            .map_err(xlsx_error)?;
    }
    ws.set_freeze_panes(XLSX_HEADER_ROW + 1, 0)
        .map_err(xlsx_error)?;
    wb.save_to_buffer().map_err(xlsx_error)
}
