//! Hostile and broken data: ids that try to leave the output tree or become typst code,
//! huge fields, template bombs, control characters, broken quoting, missing records, Excel's
//! `;` files, and a property test that mutates every file of a small study at random.
//! Each case is built inside the test; expected messages name file, line and field.

use std::time::{Duration, Instant};

use crate::common::*;

/// Write `text` to `data/rel`, creating folders.
fn put(data: &Path, rel: &str, text: &str) {
    let path = data.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// `bsb build` into `out`, timed.
fn build(data: &Path, out: &Path) -> (Output, Duration) {
    let t = Instant::now();
    let o = bsb(&["-q", "build", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    (o, t.elapsed())
}

/// A build that must fail with exit 1, quickly, naming every needle.
fn refused(data: &Path, out: &Path, needles: &[&str]) -> String {
    let (o, took) = build(data, out);
    let text = text_of(&o);
    assert_eq!(o.status.code(), Some(1), "expected a data error:\n{text}");
    assert!(took < Duration::from_secs(10), "took {took:?}:\n{text}");
    assert!(!text.contains("panicked"), "{text}");
    for n in needles {
        assert!(text.contains(n), "expected `{n}` in:\n{text}");
    }
    text
}

/// Traits and a complete set of findings (two models), for the completeness rules.
fn traits_and_findings(data: &Path) {
    put(data, "traits.csv", "id,label_nb,label_en,codes\nTR1,Trekk,Trait,A.1\nTR2,Trekk 2,Trait 2,B\n");
    put(
        data,
        "model-findings.csv",
        "trait,model,finding_nb,finding_en\nTR1,M0,a,a\nTR1,M1,b,b\nTR2,M0,c,c\nTR2,M1,d,d\n",
    );
}

#[test]
fn ids_with_a_path_markup_or_a_space_are_refused_and_nothing_is_written_outside() {
    let (tmp, data) = temp_study(2, 2, &["nb", "en"]);
    put(
        &data,
        "context/facts/f.csv",
        "id,value,unit,table,date,source,ref,label_nb,label_en\n\
         f1,3,count,x>../../../outside/pwn_table,,S1,,a,a\n\
         f2,3,count,x>../../../../data/notes,,S1,,a,a\n\
         f3,3,count,\"x> #text(fill: red, size: 30pt)[INJECTED] <y\",,S1,,a,a\n\
         f4,3,count,x> #{for i in range(2000000000) {}} <y,,S1,,a,a\n\
         f 5,3,count,ok,,S1,,a,a\n",
    );
    let cb = fs::read_to_string(data.join("codebook.csv")).unwrap();
    put(&data, "codebook.csv", &cb.replace("B,,2,", "\"B<x> #text(red)[I]\",,2,"));
    let notes_before = fs::read_dir(&data).unwrap().count();
    let out = tmp.path().join("a/b/out");
    let f = "data/context/facts/f.csv";
    refused(
        &data,
        &out,
        &[
            &format!("{f}:2: field `table`: expected an id"),
            &format!("{f}:3: field `table`: expected an id"),
            &format!("{f}:4: field `table`: expected an id"),
            &format!("{f}:5: field `table`: expected an id"),
            &format!("{f}:6: field `id`: expected an id"),
            "data/codebook.csv:4: field `id`: expected an id",
        ],
    );
    // Nothing was written outside the output tree, and nothing in data/ changed.
    let everything = all_files(tmp.path());
    assert!(everything.keys().all(|k| k.starts_with("data/") || k.starts_with("a/b/out/")), "{:?}", everything.keys());
    assert!(!everything.keys().any(|k| k.starts_with("a/b/out/report/tables")), "a refused build writes no table");
    assert!(!everything.keys().any(|k| k.contains("pwn")));
    assert_eq!(fs::read_dir(&data).unwrap().count(), notes_before);
}

#[test]
fn a_200000_character_field_is_a_data_error_in_seconds() {
    let (tmp, data) = temp_study(1, 1, &["nb", "en"]);
    let ex = fs::read_to_string(data.join("excerpts/all.csv")).unwrap();
    let huge = "ord ".repeat(50_000);
    put(&data, "excerpts/all.csv", &ex.replacen("words 1 en", &format!("\"{huge}\""), 1));
    refused(
        &data,
        &tmp.path().join("out"),
        &["data/excerpts/all.csv:2: field `text_en`: expected at most 10000 characters, found 200000"],
    );
}

#[test]
fn template_loops_and_repetitions_end_as_an_error_naming_the_prose_file() {
    for bomb in
        ["{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}", "{{ \"x\" * 99999999 }}"]
    {
        let (tmp, data) = temp_study(1, 1, &["nb", "en"]);
        put(&data, "prose/nb/method.typ", "= Metode\nTekst.\n");
        put(&data, "prose/en/method.typ", &format!("= Method\n{bomb}\n"));
        refused(&data, &tmp.path().join("out"), &["data/prose/en/method.typ:2:", "more work than a chapter may"]);
    }
}

#[test]
fn control_characters_are_refused_with_file_line_and_field() {
    let (tmp, data) = temp_study(1, 1, &["nb", "en"]);
    let iv = fs::read_to_string(data.join("interviews.csv")).unwrap();
    put(&data, "interviews.csv", &iv.replacen("I00b,r0,u00", "I00b,r0,u\u{1}00", 1));
    let ex = fs::read_to_string(data.join("excerpts/all.csv")).unwrap();
    put(&data, "excerpts/all.csv", &ex.replacen("words 2 en", "words\u{7} 2 en", 1));
    refused(
        &data,
        &tmp.path().join("out"),
        &[
            "data/interviews.csv:3: field `unit`: found a control character (U+0001)",
            "data/excerpts/all.csv:3: field `text_en`: found a control character (U+0007)",
        ],
    );
}

#[test]
fn a_deleted_finding_is_an_error_and_the_complete_set_builds() {
    let (tmp, data) = temp_study(2, 2, &["nb", "en"]);
    traits_and_findings(&data);
    let (o, _) = build(&data, &tmp.path().join("ok"));
    assert!(o.status.success(), "{}", text_of(&o));
    let mf = fs::read_to_string(data.join("model-findings.csv")).unwrap();
    put(&data, "model-findings.csv", &mf.replacen("TR2,M1,d,d\n", "", 1));
    refused(
        &data,
        &tmp.path().join("out"),
        &["data/traits.csv:3: field `id`: expected a finding for trait `TR2` and model `M1`"],
    );
}

#[test]
fn a_quote_inside_an_unquoted_field_a_short_line_and_a_cut_file_are_errors() {
    let (tmp, data) = temp_study(1, 1, &["nb", "en"]);
    let ex = fs::read_to_string(data.join("excerpts/all.csv")).unwrap();
    let ex = ex.replacen("words 1 en", "words \"1\" en", 1).replacen(",words 2 nb", "", 1);
    put(&data, "excerpts/all.csv", &ex);
    let iv = fs::read_to_string(data.join("interviews.csv")).unwrap();
    // Cut inside a quoted field, as a truncated save would leave it.
    put(&data, "interviews.csv", &format!("{iv}I9,r0,\"u0"));
    refused(
        &data,
        &tmp.path().join("out"),
        &[
            "data/excerpts/all.csv:2: field `text_en`: found a quote at column",
            "data/excerpts/all.csv:3: expected 6 fields separated by `,` as in the header, found 5",
            "data/interviews.csv:4: field `unit`: found a quote at column 7 that is never closed",
        ],
    );
}

#[test]
fn an_unreadable_file_reports_its_own_errors_and_a_summary_of_the_references_into_it() {
    let (tmp, data) = temp_study(2, 2, &["nb", "en"]);
    let iv = fs::read_to_string(data.join("interviews.csv")).unwrap();
    put(
        &data,
        "interviews.csv",
        &iv.replacen("id,region,unit,kind,participants", "id|region|unit|kind|participants", 1),
    );
    let excerpts = fs::read_to_string(data.join("excerpts/all.csv")).unwrap().lines().count() - 1;
    let text = refused(
        &data,
        &tmp.path().join("out"),
        &[
            "data/interviews.csv:1: field `region`: expected this column in the header row, found none",
            &format!(
                "1 file(s) could not be read (data/interviews.csv); {excerpts} reference(s) into them were not checked"
            ),
        ],
    );
    assert!(!text.contains("which does not exist"), "{text}");
}

#[test]
fn semicolon_separated_files_from_excel_are_read_as_they_are() {
    let (tmp, data) = temp_study(2, 2, &["nb", "en"]);
    let (o, _) = build(&data, &tmp.path().join("comma"));
    assert!(o.status.success(), "{}", text_of(&o));
    // Excel in a Norwegian locale: `;` between fields, a list in quotes, CRLF, a BOM.
    let iv = fs::read_to_string(data.join("interviews.csv")).unwrap();
    put(&data, "interviews.csv", &format!("\u{feff}{}", iv.replace(',', ";").replace('\n', "\r\n")));
    let ex = fs::read_to_string(data.join("excerpts/all.csv")).unwrap();
    let ex: String = ex
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let l = l.replace(',', ";");
            // Give the first excerpt two codes: a list, which must now be quoted.
            if i == 1 {
                l.replacen(";B.1;", ";\"B.1;B\";", 1)
            } else {
                l
            }
        })
        .map(|l| l + "\n")
        .collect();
    put(&data, "excerpts/all.csv", &ex);
    let (o, _) = build(&data, &tmp.path().join("semi"));
    assert!(o.status.success(), "{}", text_of(&o));
    let comma = read_csv(&tmp.path().join("comma/report/tables/participants.csv"));
    let semi = read_csv(&tmp.path().join("semi/report/tables/participants.csv"));
    assert_eq!(comma, semi, "the same register, read from either separator");
}

#[test]
fn invalid_utf8_is_reported_by_line_and_column_and_a_typo_in_study_toml_by_key() {
    let (tmp, data) = temp_study(1, 1, &["nb", "en"]);
    let mut iv = fs::read(data.join("interviews.csv")).unwrap();
    let second = iv.iter().position(|b| *b == b'\n').unwrap() + 1;
    iv[second + 2] = 0xFF;
    fs::write(data.join("interviews.csv"), iv).unwrap();
    let toml = fs::read_to_string(data.join("study.toml")).unwrap();
    put(&data, "study.toml", &toml.replacen("small_cell_k = 3", "small_cell_k = 3\nsmall_cel_k = 5", 1));
    refused(
        &data,
        &tmp.path().join("out"),
        &["data/interviews.csv:2: is not UTF-8 text: line 2, column 3", "data/study.toml:5: field `small_cel_k`"],
    );
}

/// A small deterministic generator (xorshift64*), so the property test needs no crate and
/// every failure can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One random damage to `bytes`: a byte flip, a cut, a duplicated span, a separator swap,
/// an inserted hostile snippet or a deleted line.
fn mutate(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    if b.is_empty() {
        return b"\"".to_vec();
    }
    let at = rng.below(b.len());
    match rng.below(7) {
        0 => b[at] ^= 1 << rng.below(8),
        1 => b.truncate(at),
        2 => {
            let end = (at + rng.below(200)).min(b.len());
            let span = b[at..end].to_vec();
            b.splice(at..at, span);
        }
        3 => {
            for x in b.iter_mut() {
                match *x {
                    b',' => *x = b';',
                    b';' => *x = b',',
                    _ => {}
                }
            }
        }
        4 => {
            let snippets: [&[u8]; 8] =
                [b"../../../x", b"\"", b"\x00", b"#text(red)[I]", b"<y>", b"{{ 1 }", b"\xff\xfe", b"\r\n"];
            let s = snippets[rng.below(snippets.len())];
            b.splice(at..at, s.iter().copied());
        }
        5 => {
            let start = b[..at].iter().rposition(|c| *c == b'\n').map(|i| i + 1).unwrap_or(0);
            let end = b[at..].iter().position(|c| *c == b'\n').map(|i| at + i + 1).unwrap_or(b.len());
            b.drain(start..end);
        }
        _ => b[at] = rng.next() as u8,
    }
    b
}

#[test]
fn random_damage_to_any_file_never_panics_and_never_writes_outside_the_output_tree() {
    let (tmp, data) = temp_study(1, 2, &["nb", "en"]);
    traits_and_findings(&data);
    put(
        &data,
        "context/facts/f.csv",
        "id,value,unit,table,date,source,ref,label_nb,label_en\nf1,4,count,cohort,2020,S1,p. 3,Pasienter,Patients\n",
    );
    put(
        &data,
        "context/sets.csv",
        "id,unit,total_fact,figure,table,source,ref,title_nb,title_en\ns1,count,f1,fig-s,cohort,S1,,Fordeling,Split\n",
    );
    put(&data, "context/shares.csv", "set,id,value,label_nb,label_en\ns1,a,1,A,A\ns1,b,3,B,B\n");
    let pristine = all_files(&data);
    let files: Vec<String> = pristine.keys().filter(|k| k.ends_with(".csv") || k.ends_with(".toml")).cloned().collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let iterations = 200;
    let mut outcomes = [0usize; 2];
    for i in 0..iterations {
        let target = &files[i % files.len()];
        let mutated = mutate(&mut rng, &pristine[target]);
        for (k, v) in &pristine {
            fs::write(data.join(k), v).unwrap();
        }
        fs::write(data.join(target), &mutated).unwrap();
        let out = tmp.path().join("o/u/t");
        let (o, took) = build(&data, &out);
        let text = text_of(&o);
        let replay = format!("iteration {i}, file {target}:\n{}\n---\n{text}", String::from_utf8_lossy(&mutated));
        assert!(!text.contains("panicked"), "{replay}");
        assert!(took < Duration::from_secs(10), "took {took:?}; {replay}");
        match o.status.code() {
            Some(0) => outcomes[0] += 1,
            Some(1) => {
                assert!(text.contains("data/") || text.contains(".csv") || text.contains(".toml"), "{replay}");
                outcomes[1] += 1;
            }
            other => panic!("exit {other:?}; {replay}"),
        }
        // Nothing but the data and the output tree.
        for k in all_files(tmp.path()).keys() {
            assert!(k.starts_with("data/") || k.starts_with("o/u/t/"), "wrote {k}; {replay}");
        }
        // The data are never written by a build.
        let now = all_files(&data);
        for (k, v) in &now {
            let expected = if k == target { &mutated } else { &pristine[k] };
            assert_eq!(v, expected, "{k} changed; {replay}");
        }
    }
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "both outcomes occur: {outcomes:?}");
}
