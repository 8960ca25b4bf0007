//! `wangjian text normalize`: one output line per input line, bad lines, exit statuses.

mod common;

use common::{stderr, stdout, wangjian};

#[test]
fn one_line_out_per_line_in() {
    let o = wangjian(
        &["text", "normalize"],
        "ＮＩＫＥ 高-仿\n\n❤❤\r\nA.D.I.D.A.S 阿 迪 达 斯\nR0LEX".as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "nike高仿\n\n\nadidas阿迪达斯\nrolex\n");
    assert_eq!(stderr(&o), "");
}

#[test]
fn pinyin_projection() {
    let o = wangjian(
        &["text", "normalize", "--pinyin"],
        "耐克鞋 Nike\n奈克\n".as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "nai ke xie nike\nnai ke\n");
}

#[test]
fn invalid_utf8_keeps_alignment_and_fails_at_the_end() {
    let mut input = b"nike\n".to_vec();
    input.extend_from_slice(b"\xff\xfe bad\n");
    input.extend_from_slice("髙仿\n".as_bytes());
    let o = wangjian(&["text", "normalize"], &input);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "nike\n\n高仿\n");
    let err = stderr(&o);
    assert!(err.contains("stdin:2:"), "{err}");
    assert!(err.contains("UTF-8"), "{err}");
}

#[test]
fn explain_shows_segments() {
    let o = wangjian(
        &["text", "normalize", "--explain"],
        "ＮＩＫＥ 高-仿\n".as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "nike高仿");
    assert!(
        lines.contains(&"  original «Ｎ» [0..3) → «n» [0..1)"),
        "{out}"
    );
    assert!(
        lines.contains(&"  original «高» [13..16) → «高» [4..7)"),
        "{out}"
    );
    assert_eq!(
        lines[lines.len() - 2],
        "  original «仿» [17..20) → «仿» [7..10)"
    );
    assert_eq!(lines.last(), Some(&""));
    assert!(out.ends_with("\n\n"));
}

#[test]
fn empty_input_prints_nothing() {
    let o = wangjian(&["text", "normalize"], b"");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let o = wangjian(&["text", "frobnicate"], b"");
    assert_eq!(o.status.code(), Some(2));
}
