//! `bsb diff` between directories and git revisions.

use crate::common::*;

#[test]
fn diff_reports_added_removed_and_changed_cells() {
    let tmp = TempDir::new();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    fs::write(a.join("t.csv"), "id,x,y\nr1,1,2\nr2,3,4\n").unwrap();
    fs::write(b.join("t.csv"), "id,x,y\nr1,1,5\nr3,6,7\n").unwrap();
    fs::write(a.join("gone.csv"), "id,x\nq,1\n").unwrap();
    let out = bsb(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(out.status.success());
    let text = text_of(&out);
    assert!(text.contains("row removed: r2"), "{text}");
    assert!(text.contains("row added: r3"), "{text}");
    assert!(text.contains("r1 y: 2 → 5"), "{text}");
    assert!(text.contains("gone: table removed"), "{text}");
    let md = text_of(&bsb(&["diff", a.to_str().unwrap(), b.to_str().unwrap(), "--format", "md"]));
    assert!(md.contains("### t") && md.contains("`r1` `y`: `2` → `5`"), "{md}");
}

#[test]
fn diff_reads_tables_from_git_revisions() {
    let tmp = TempDir::new();
    let repo = tmp.path();
    let git = |args: &[&str]| {
        let o = Command::new("git").args(args).current_dir(repo).output().unwrap();
        assert!(o.status.success(), "git {args:?}: {}", text_of(&o));
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "t@example.org"]);
    git(&["config", "user.name", "t"]);
    fs::create_dir_all(repo.join("report/tables")).unwrap();
    fs::write(repo.join("report/tables/t.csv"), "id,n\na,1\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-qm", "one"]);
    fs::write(repo.join("report/tables/t.csv"), "id,n\na,2\nb,3\n").unwrap();
    git(&["commit", "-qam", "two"]);
    let o = bsb_command().args(["diff", "HEAD~1", "HEAD"]).current_dir(repo).output().unwrap();
    assert!(o.status.success(), "{}", text_of(&o));
    let text = text_of(&o);
    assert!(text.contains("a n: 1 → 2") && text.contains("row added: b"), "{text}");
    // A revision compared with the working tree, as `just diff REV` does.
    fs::write(repo.join("report/tables/t.csv"), "id,n\na,9\nb,3\n").unwrap();
    let o = bsb_command().args(["diff", "HEAD", "report/tables"]).current_dir(repo).output().unwrap();
    assert!(text_of(&o).contains("a n: 2 → 9"), "{}", text_of(&o));
}
