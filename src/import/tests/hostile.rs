//! Hostile and malformed archives: each is an error and writes nothing (no data directory,
//! nothing left beside it).

use std::fs;
use std::path::Path;

use crate::archive::Limits;
use crate::import::import_qdpx_with;

use super::common::*;

/// Import `entries`; it must fail with a message containing `needle`, leave `data` absent
/// and leave nothing else beside it.
fn refused(entries: &[(&str, &[u8])], needle: &str) {
    refused_with(entries, needle, &Limits::default());
}

fn refused_with(entries: &[(&str, &[u8])], needle: &str, limits: &Limits) {
    let tmp = TempDir::new();
    let file = qdpx(tmp.path(), entries);
    refused_file(&file, tmp.path(), needle, limits);
}

fn refused_file(file: &Path, dir: &Path, needle: &str, limits: &Limits) {
    let into = dir.join("data");
    let err = match import_qdpx_with(file, &into, &[], &[], limits) {
        Ok(_) => panic!("expected the import to fail with `{needle}`"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(needle), "expected `{needle}` in: {err}");
    assert!(!into.exists(), "nothing may be written");
    let left: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "p.qdpx" && n != "p.qdc")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// The usual project with its `project.qde` replaced.
fn with_qde(qde: &str) -> Vec<(String, Vec<u8>)> {
    let mut files = usual("QualCoder 3.5");
    files[0].1 = qde.as_bytes().to_vec();
    files
}

#[test]
fn not_a_zip_is_refused() {
    let tmp = TempDir::new();
    let file = tmp.path().join("p.qdpx");
    fs::write(&file, "<Project/> is not an archive").unwrap();
    refused_file(&file, tmp.path(), "not a readable ZIP", &Limits::default());
    let empty = qdpx(tmp.path(), &[("readme.txt", b"hello")]);
    refused_file(&empty, tmp.path(), "no project.qde", &Limits::default());
}

#[test]
fn a_zip_bomb_is_refused() {
    // 8 MiB of one byte deflates about a thousandfold.
    let bomb = vec![b'a'; 8 << 20];
    let mut files = usual("QualCoder 3.5");
    files.push(("sources/bomb.txt".into(), bomb.clone()));
    refused(&entries(&files), "zip bomb");
    // The same inside project.qde, read with a looser declared check: the streaming check stops it.
    let mut qde = usual("QualCoder 3.5")[0].1.clone();
    qde.extend(std::iter::repeat_n(b' ', 8 << 20));
    let loose = Limits { ratio_floor: u64::MAX, ..Limits::default() };
    let strict_stream = Limits { max_entry_bytes: 1 << 20, ..loose.clone() };
    refused_with(&entries(&with_qde(std::str::from_utf8(&qde).unwrap())), "expands past", &strict_stream);
}

/// Rewrite the declared uncompressed size of entry `name` (local and central headers),
/// as a crafted bomb does to slip past a check of the directory.
fn lie_about_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46) {
        // (where the name starts, where the size is, where the name's length is)
        let (name_at, size_at, len_at) = match &zip[i..i + 4] {
            [0x50, 0x4b, 0x03, 0x04] => (30, 22, 26),
            [0x50, 0x4b, 0x01, 0x02] => (46, 24, 28),
            _ => continue,
        };
        let len = u16::from_le_bytes([zip[i + len_at], zip[i + len_at + 1]]) as usize;
        if zip.get(i + name_at..i + name_at + len) == Some(name.as_bytes()) {
            zip[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "both headers of `{name}` found");
}

#[test]
fn a_zip_bomb_with_lying_headers_is_stopped_while_reading() {
    let mut qde = usual("QualCoder 3.5")[0].1.clone();
    qde.extend(std::iter::repeat_n(b' ', 16 << 20));
    let mut files = usual("QualCoder 3.5");
    files[0].1 = qde;
    let tmp = TempDir::new();
    let file = qdpx(tmp.path(), &entries(&files));
    let mut bytes = fs::read(&file).unwrap();
    lie_about_size(&mut bytes, "project.qde", 1000);
    fs::write(&file, bytes).unwrap();
    refused_file(&file, tmp.path(), "zip bomb", &Limits::default());
}

#[test]
fn too_many_entries_or_bytes_are_refused() {
    let files = usual("QualCoder 3.5");
    refused_with(&entries(&files), "entries", &Limits { max_entries: 1, ..Limits::default() });
    refused_with(&entries(&files), "in total", &Limits { max_total_bytes: 600, ..Limits::default() });
}

#[test]
fn paths_that_leave_the_archive_are_refused() {
    for bad in ["../x.txt", "/etc/x.txt", "sources/../../x.txt", "C:\\x.txt", "..\\x.txt"] {
        let mut files = usual("QualCoder 3.5");
        files.push((bad.to_string(), b"x".to_vec()));
        refused(&entries(&files), "leaves the archive");
    }
    for (bad, needle) in [
        ("absolute:///etc/passwd", "outside the archive"),
        ("file:///etc/passwd", "outside the archive"),
        ("../../etc/passwd", "leaves the archive"),
        ("/etc/passwd", "leaves the archive"),
        ("internal://../x.txt", "leaves the archive"),
    ] {
        let body = format!("{}<Sources>{}</Sources>", codebook(), source(201, bad, &sel(301, (0, 3), &[4])));
        let files = with_qde(&project("QualCoder 3.5", &body));
        refused(&entries(&files), needle);
    }
}

#[test]
fn a_missing_text_file_is_refused() {
    let body =
        format!("{}<Sources>{}</Sources>", codebook(), source(201, "internal://nowhere.txt", &sel(301, (0, 3), &[4])));
    refused(&entries(&with_qde(&project("QualCoder 3.5", &body))), "not in the archive");
}

#[test]
fn doctype_and_entity_tricks_are_refused() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Project name="x">&lol2;</Project>"#;
    refused(&entries(&with_qde(laughs)), "DOCTYPE");
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Project name="&xxe;"/>"#;
    refused(&entries(&with_qde(xxe)), "DOCTYPE");
    let undeclared = project("QualCoder 3.5", "<Description>&xxe;</Description>");
    refused(&entries(&with_qde(&undeclared)), "entity");
    refused(&entries(&with_qde("<Project name=\"x\"><CodeBook></Project>")), "not well-formed");
    refused(&entries(&with_qde("<CodeBook/>")), "expected a REFI-QDA project");
}

#[test]
fn bad_offsets_are_refused() {
    let past = format!(
        "{}<Sources>{}</Sources>",
        codebook(),
        source(201, &format!("internal://{}.txt", g(201)), &sel(301, (10, TEXT.chars().count() + 1), &[4]))
    );
    refused(&entries(&with_qde(&project("QualCoder 3.5", &past))), "within the source's");
    let backwards = format!(
        "{}<Sources>{}</Sources>",
        codebook(),
        source(201, &format!("internal://{}.txt", g(201)), &sel(301, (9, 4), &[4]))
    );
    refused(&entries(&with_qde(&project("QualCoder 3.5", &backwards))), "startPosition ≤ endPosition");
    let negative =
        with_qde(&project("QualCoder 3.5", &backwards.replace("startPosition=\"9\"", "startPosition=\"-1\"")));
    refused(&entries(&negative), "whole number");
}

#[test]
fn duplicate_guids_are_refused() {
    // The same GUID in braces and upper case is still the same GUID.
    let again = g(1).to_uppercase();
    let body = format!(
        r#"<CodeBook><Codes>{}<Code guid="{{{again}}}" name="To" isCodable="true"/></Codes></CodeBook><Sources>{}</Sources>"#,
        code(1, "En", ""),
        source(201, &format!("internal://{}.txt", g(201)), &sel(301, (0, 3), &[1]))
    );
    refused(&entries(&with_qde(&project("QualCoder 3.5", &body))), "unique GUID");
}

#[test]
fn references_that_do_not_resolve_are_refused() {
    let src = |inner: &str| source(201, &format!("internal://{}.txt", g(201)), inner);
    let code_ref = format!("{}<Sources>{}</Sources>", codebook(), src(&sel(301, (0, 3), &[77])));
    refused(&entries(&with_qde(&project("QualCoder 3.5", &code_ref))), "which is not in the project");
    let source_ref_bad =
        format!("{}<Cases>{}</Cases><Sources>{}</Sources>", codebook(), case(101, "A", &source_ref(299)), src(""));
    refused(&entries(&with_qde(&project("QualCoder 3.5", &source_ref_bad))), "GUID of a source");
    let var_ref = format!("{}<Sources>{}</Sources>", codebook(), src(&value(599, "x")));
    refused(&entries(&with_qde(&project("QualCoder 3.5", &var_ref))), "GUID of a variable");
}

#[test]
fn a_non_empty_target_is_never_touched() {
    let tmp = TempDir::new();
    let files = usual("QualCoder 3.5");
    let file = qdpx(tmp.path(), &entries(&files));
    let into = tmp.path().join("data");
    fs::create_dir(&into).unwrap();
    fs::write(into.join("study.toml"), "mine").unwrap();
    let err = run(&file, &into, &[], &[]).unwrap_err().to_string();
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(fs::read_to_string(into.join("study.toml")).unwrap(), "mine");
    assert_eq!(fs::read_dir(&into).unwrap().count(), 1);
    // An empty directory is fine and is filled.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    run(&file, &empty, &[], &[]).unwrap();
    assert!(empty.join("study.toml").is_file());
    let names: Vec<String> =
        fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "no temporary directory is left: {names:?}");
}
