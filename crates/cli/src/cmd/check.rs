//! `wangjian check KIND [VALUE...]`: validate identifiers, one output line per input.
//!
//! Output: `VALUE<TAB>valid` (with `<TAB>warning: …` when a check that authorities' real
//! codes do not always pass only warns) or `VALUE<TAB>invalid<TAB>REASON`; with `--json`
//! one object per line (`{"value":…,"valid":true,"kind":…,"normalized":…,"parts":{…},
//! "warnings":[…]}` or
//! `{"value":…,"valid":false,"reason":…}`). Values come from the arguments or, when there
//! are none, from stdin one per line. Exit 0 when all are valid, 1 when any is invalid or
//! unreadable.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use wangjian_ids::{check_on, Kind};

use crate::input::{for_each_line, MAX_LINE_BYTES};
use crate::report::BadLines;

/// The kinds of identifier on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    /// 统一社会信用代码 (GB 32100-2015).
    Uscc,
    /// 公民身份号码 (GB 11643-1999), 18 or 15 characters.
    CitizenId,
    /// GTIN-8/12/13/14 (GS1 check digit).
    Gtin,
    /// ICP 备案号 / ICP 证 / 增值电信业务经营许可证.
    Icp,
    /// 公安机关互联网站安全备案号.
    PoliceFiling,
    /// Mainland mobile number.
    Phone,
    /// 食品经营许可证 (JY…).
    FoodLicense,
    /// 食品生产许可证 (SC…).
    FoodProductionLicense,
    /// 仅销售预包装食品备案 (YB + 14 digits).
    FoodFiling,
    /// 药品经营许可证.
    DrugLicense,
    /// 医疗器械经营许可证 / 第二类经营备案凭证.
    DeviceLicense,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Kind {
        match k {
            KindArg::Uscc => Kind::Uscc,
            KindArg::CitizenId => Kind::CitizenId,
            KindArg::Gtin => Kind::Gtin,
            KindArg::Icp => Kind::Icp,
            KindArg::PoliceFiling => Kind::PoliceFiling,
            KindArg::Phone => Kind::Phone,
            KindArg::FoodLicense => Kind::FoodLicense,
            KindArg::FoodProductionLicense => Kind::FoodProductionLicense,
            KindArg::FoodFiling => Kind::FoodFiling,
            KindArg::DrugLicense => Kind::DrugLicense,
            KindArg::DeviceLicense => Kind::DeviceLicense,
        }
    }
}

/// Arguments of `wangjian check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What kind of identifier the values are.
    #[arg(value_enum)]
    pub kind: KindArg,
    /// Values to check; when none are given, one per line from stdin.
    pub values: Vec<String>,
    /// Print one JSON object per line, with the parts of valid values.
    #[arg(long)]
    pub json: bool,
}

/// Writes one output line for `value`; returns whether it was valid.
fn check_one(
    out: &mut impl Write,
    kind: Kind,
    value: &str,
    today: NaiveDate,
    json: bool,
) -> io::Result<bool> {
    let result = check_on(kind, value, today);
    if json {
        let obj = match &result {
            Ok(p) => serde_json::json!({
                "value": value,
                "valid": true,
                "kind": p.kind,
                "normalized": p.normalized,
                "parts": p.parts,
                "warnings": p.warnings,
            }),
            Err(e) => serde_json::json!({"value": value, "valid": false, "reason": e.to_string()}),
        };
        writeln!(out, "{obj}")?;
    } else {
        // A tab inside the value would shift the columns.
        let shown = value.replace('\t', " ");
        match &result {
            Ok(p) if p.warnings.is_empty() => writeln!(out, "{shown}\tvalid")?,
            Ok(p) => writeln!(out, "{shown}\tvalid\twarning: {}", p.warnings.join("; "))?,
            Err(e) => writeln!(out, "{shown}\tinvalid\t{e}")?,
        }
    }
    Ok(result.is_ok())
}

/// Runs `wangjian check`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let kind = Kind::from(args.kind);
    let today = wangjian_calendar::shanghai_date(Utc::now());
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut invalid = 0u64;
    let mut bad = BadLines::default();
    if args.values.is_empty() {
        let stdin = io::stdin();
        for_each_line(stdin.lock(), MAX_LINE_BYTES, |n, line| match line {
            Ok(v) => {
                if !check_one(&mut out, kind, v, today, args.json)? {
                    invalid += 1;
                }
                Ok(())
            }
            Err(problem) => {
                bad.report("<stdin>", n, problem);
                Ok(())
            }
        })
        .context("reading values from stdin")?;
    } else {
        for v in &args.values {
            if !check_one(&mut out, kind, v, today, args.json)? {
                invalid += 1;
            }
        }
    }
    out.flush()?;
    if invalid > 0 || bad.count() > 0 {
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
