//! Bad data: every error names file, line and field, all at once; data never becomes markup; usage errors exit with 2.

use crate::common::*;

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(bsb(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(bsb(&["build", "--no-such-flag"]).status.code(), Some(2));
}

#[test]
fn data_never_becomes_markup() {
    let (tmp, data) = temp_study(1, 1, &["en"]);
    let hostile = r#"#read(\"/etc/passwd\") @x $y$ *b* _i_ <l> `c` \\ // ~"#;
    let toml = fs::read_to_string(data.join("study.toml"))
        .unwrap()
        .replace("name_en = \"Region 0\"", &format!("name_en = \"{hostile}\""));
    fs::write(data.join("study.toml"), toml).unwrap();
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let text = pdf::text(&out.join("report/out/small-0.1-en.pdf"));
    assert!(text.contains(r#"#read("/etc/passwd")"#), "printed literally: {text}");
    assert!(text.contains("@x $y$ *b* _i_ <l> `c`"), "markup characters print as themselves");
    assert!(!text.contains("root:"), "no file was read");
}

#[test]
fn every_error_names_file_line_and_field_all_at_once() {
    let tmp = broken(|d| {
        let iv = fs::read_to_string(d.join("interviews.csv")).unwrap();
        let iv = iv.replacen("I00b,r0,u00,group,3", "I00b,r0,u00,group,1", 1).replacen(
            "I01a,r0,u01,individual,1",
            "I01a,r0,nowhere,individual,x",
            1,
        );
        fs::write(d.join("interviews.csv"), iv).unwrap();
    });
    expect_failure(
        &tmp.path().join("data"),
        &[
            "data/interviews.csv:3: field `participants`: expected at least 2 in a group interview, found 1",
            "data/interviews.csv:4: field `unit`",
            "data/interviews.csv:4: field `participants`: expected a whole number, found `x`",
        ],
    );
}

#[test]
fn excel_files_with_bom_and_crlf_report_the_right_line() {
    let tmp = broken(|d| {
        let iv = fs::read_to_string(d.join("interviews.csv")).unwrap();
        let iv = iv.replacen("I10a,r1,u10,individual,1", "I10a,r9,u10,individual,1", 1);
        let crlf = format!("\u{feff}{}\r\n", iv.replace('\n', "\r\n"));
        fs::write(d.join("interviews.csv"), crlf).unwrap();
    });
    // I10a is the 6th record: header on line 1, so line 6.
    expect_failure(
        &tmp.path().join("data"),
        &["data/interviews.csv:6: field `region`: expected the id of a region, found `r9`"],
    );
}

#[test]
fn duplicate_ids_missing_languages_and_bad_references_are_errors() {
    let tmp = broken(|d| {
        let ex = fs::read_to_string(d.join("excerpts/all.csv")).unwrap();
        let mut lines: Vec<String> = ex.lines().map(str::to_string).collect();
        lines[2] = lines[1].clone(); // duplicate id E1 on line 3
        lines[3] = lines[3].replace("A.1", "Z.9").replace("B.1", "Z.9"); // unknown code on line 4
        let last = lines.len() - 1;
        lines[last] = lines[last].rsplit_once(',').map(|(a, _)| format!("{a},")).unwrap(); // empty text_en
        fs::write(d.join("excerpts/all.csv"), lines.join("\n") + "\n").unwrap();
    });
    expect_failure(
        &tmp.path().join("data"),
        &[
            "data/excerpts/all.csv:3: field `id`: expected a unique excerpt id, found `E1` again (first at data/excerpts/all.csv:2)",
            "data/excerpts/all.csv:4: field `codes`: expected the id of a code, found `Z.9`",
            "data/excerpts/all.csv:13: field `text_en`: expected the text in language `en`",
        ],
    );
}

#[test]
fn excerpts_naming_a_region_or_place_are_refused() {
    let tmp = broken(|d| {
        let ex = fs::read_to_string(d.join("excerpts/all.csv")).unwrap();
        fs::write(d.join("excerpts/all.csv"), ex.replacen("words 2 nb", "words about Region 1 here", 1)).unwrap();
    });
    expect_failure(&tmp.path().join("data"), &["data/excerpts/all.csv:3: field `text_nb`: expected no region, unit or place name in an excerpt, found `Region 1`"]);
}

#[test]
fn shares_must_make_a_whole_and_dates_must_be_real() {
    let tmp = broken(|d| {
        fs::create_dir_all(d.join("context")).unwrap();
        fs::write(d.join("context/sets.csv"), "id,unit,total_fact,source,ref,title_nb,title_en\ns,percent,,003,,T,T\n")
            .unwrap();
        fs::write(d.join("context/shares.csv"), "set,id,value,label_nb,label_en\ns,a,60,A,A\ns,b,30,B,B\n").unwrap();
        fs::write(
            d.join("context/timeline.csv"),
            "id,date,kind,label_nb,label_en,source,ref\nEV1,2023-02-30,policy,X,X,001,\n",
        )
        .unwrap();
        let toml = fs::read_to_string(d.join("study.toml")).unwrap();
        fs::write(d.join("study.toml"), toml.replace("date = \"2024-02-29\"", "date = \"2023-02-29\"")).unwrap();
    });
    expect_failure(
        &tmp.path().join("data"),
        &[
            "data/context/sets.csv:2: field `id`: expected the shares of `s` to sum to 100",
            "data/context/timeline.csv:2: field `date`: expected a real date",
            "data/study.toml:3: field `date`: expected a real date as YYYY-MM-DD, found `2023-02-29`",
        ],
    );
}

#[test]
fn references_across_files_must_resolve() {
    let tmp = broken(|d| {
        // A unit from another region, and one participant in two interviews.
        let iv = fs::read_to_string(d.join("interviews.csv")).unwrap();
        fs::write(d.join("interviews.csv"), iv.replacen("I10a,r1,u10", "I10a,r1,u00", 1)).unwrap();
        let ex = fs::read_to_string(d.join("excerpts/all.csv")).unwrap();
        fs::write(d.join("excerpts/all.csv"), ex.replacen("E4,I01a,P01ax", "E4,I01a,P00ax", 1)).unwrap();
        fs::write(d.join("traits.csv"), "id,label_nb,label_en,codes\nTR1,T,T,A;Q\n").unwrap();
        fs::write(d.join("recommendation-columns.csv"), "id,label_nb,label_en\nrights,R,R\n").unwrap();
        fs::write(d.join("recommendations.csv"), "id,column,text_nb,text_en,rests_on\nR1,content,X,X,TR1;nothing\n")
            .unwrap();
    });
    expect_failure(
        &tmp.path().join("data"),
        &[
            "data/interviews.csv:6: field `unit`: expected a unit in region `r1`, found `u00` of region `r0`",
            "field `participant`: expected `P00ax` to belong to one interview, found it in `I00a` and `I01a`",
            "data/traits.csv:2: field `codes`: expected the id of a code, found `Q`",
            "data/recommendations.csv:2: field `column`: expected the id of a recommendation column, found `content`",
            "data/recommendations.csv:2: field `rests_on`: expected the id of a theme, code or trait, found `nothing`",
        ],
    );
}

#[test]
fn long_excerpts_and_count_sets_that_miss_their_total_are_errors() {
    let tmp = broken(|d| {
        let ex = fs::read_to_string(d.join("excerpts/all.csv")).unwrap();
        let long = vec!["word"; 60].join(" ");
        fs::write(d.join("excerpts/all.csv"), ex.replacen("words 1 en", &long, 1)).unwrap();
        fs::create_dir_all(d.join("context")).unwrap();
        fs::write(
            d.join("context/facts.csv"),
            "id,value,unit,date,source,ref,label_nb,label_en\ntotal,10,count,,003,,T,T\n",
        )
        .unwrap();
        fs::write(
            d.join("context/sets.csv"),
            "id,unit,total_fact,source,ref,title_nb,title_en\nc,count,total,003,,T,T\n",
        )
        .unwrap();
        fs::write(d.join("context/shares.csv"), "set,id,value,label_nb,label_en\nc,a,6,A,A\nc,b,3,B,B\n").unwrap();
    });
    expect_failure(
        &tmp.path().join("data"),
        &[
            "data/excerpts/all.csv:2: field `text_en`: expected a short paraphrase of at most 50 words, found 60",
            "data/context/sets.csv:2: field `total_fact`: expected the parts of `c` to sum to `total` = 10, found 9",
        ],
    );
}
