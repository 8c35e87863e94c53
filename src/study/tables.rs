//! The CSV tables of a study, one reader per family of files (the sample, the coding, the
//! comparisons, the context, the record of the published report), each row into its type
//! with file, line and field in every problem. The columns are [`schema`]'s.

use std::fs;
use std::path::Path;

use super::csvfile::{self, Row};
use super::load::{dir_label, parse_partial_date};
use super::rows::*;
use super::*;
use crate::problem::{IoContext, Pos, Problems, Result};

/// Read every table of the study in `dir` into `study`, in [`schema::TABLES`]' order.
pub(crate) fn read_tables(dir: &Path, study: &mut Study, problems: &mut Problems) -> Result<()> {
    let langs = study.meta.languages.clone();
    let mut t = Tables { dir, langs: &langs, study, problems };
    t.sample()?;
    t.coding()?;
    t.comparisons()?;
    t.timeline()?;
    t.numbers()?;
    t.record()?;
    t.dialogue()?;
    Ok(())
}

/// What every table reader needs: where the files are, the study's languages, and the
/// study and problems being filled.
struct Tables<'a> {
    dir: &'a Path,
    langs: &'a [String],
    study: &'a mut Study,
    problems: &'a mut Problems,
}

impl<'a> Tables<'a> {
    /// Every row of every file of `schema`'s table, in file order, with the problems list.
    fn rows(&mut self, schema: &schema::Schema) -> Result<Vec<Row<'a>>> {
        let mut out = Vec::new();
        for table in files(self.dir, schema.table, &mut self.study.files, self.problems)? {
            out.extend(rows(&table, schema, &mut self.study.unreadable, self.langs, self.problems));
        }
        Ok(out)
    }

    /// Every record of `R`'s table as its row type, with where it is.
    fn read<R: FromRow>(&mut self) -> Result<Vec<(Pos, R)>> {
        let rows = self.rows(&R::SCHEMA)?;
        Ok(rows.iter().map(|r| (r.pos.clone(), R::from_row(r, self.problems))).collect())
    }

    /// The interview register (`interviews`).
    fn sample(&mut self) -> Result<()> {
        for (pos, r) in self.read::<InterviewRow>()? {
            let InterviewRow { id, region, unit, kind, participants, date, guid: _ } = r;
            self.study.interviews.push(Interview { id, region, unit, kind, participants, date, pos });
        }
        Ok(())
    }

    /// The codebook and the coded excerpts.
    fn coding(&mut self) -> Result<()> {
        for (pos, r) in self.read::<CodeRow>()? {
            let CodeRow { id, parent, section, label, description, guid: _, color: _ } = r;
            self.study.codes.push(Code { id, parent, section, label, description, pos });
        }
        for (pos, r) in self.read::<ExcerptRow>()? {
            let ExcerptRow { id, interview, participant, codes, text, guid: _ } = r;
            self.study.excerpts.push(Excerpt { id, interview, participant, codes, text, pos });
        }
        Ok(())
    }

    /// The comparison tables: traits and model findings, factors, and the recommendations with their columns.
    fn comparisons(&mut self) -> Result<()> {
        for (pos, TraitRow { id, label, codes }) in self.read()? {
            self.study.traits.push(Trait { id, label, codes, pos });
        }
        for (pos, ModelFindingRow { trait_id, model, finding }) in self.read()? {
            self.study.model_findings.push(ModelFinding { trait_id, model, finding, pos });
        }
        for (pos, r) in self.read::<FactorRow>()? {
            let FactorRow { id, label, compilation, compilation_pages, bsb, bsb_pages } = r;
            self.study.factors.push(Factor { id, label, compilation, compilation_pages, bsb, bsb_pages, pos });
        }
        for (pos, RecColumnRow { id, label }) in self.read()? {
            self.study.rec_columns.push(RecColumn { id, label, pos });
        }
        for (pos, RecommendationRow { id, column, text, rests_on }) in self.read()? {
            self.study.recommendations.push(Recommendation { id, column, text, rests_on, pos });
        }
        Ok(())
    }

    /// The dated events of the context (`context/timeline`).
    fn timeline(&mut self) -> Result<()> {
        for (pos, EventRow { id, date, kind, label, source, reference }) in self.read()? {
            self.study.events.push(Event { id, date, kind, label, source, reference, pos });
        }
        Ok(())
    }

    /// The numbers of the context: facts, breakdowns and their parts.
    fn numbers(&mut self) -> Result<()> {
        for (pos, r) in self.read::<FactRow>()? {
            let FactRow { id, value, unit, table, date, source, reference, label } = r;
            self.study.facts.push(Fact { id, value, unit, table, date, source, reference, label, pos });
        }
        for (pos, r) in self.read::<SetRow>()? {
            let SetRow { id, unit, total_fact, figure, table, source, reference, title } = r;
            self.study.sets.push(ShareSet { id, unit, total_fact, source, reference, title, figure, table, pos });
        }
        for (pos, ShareRow { set, id, value, label }) in self.read()? {
            self.study.shares.push(Share { set, id, value, label, pos });
        }
        Ok(())
    }

    /// What the published report printed, and the notes on the data's choices.
    fn record(&mut self) -> Result<()> {
        for (pos, r) in self.read::<PublishedRow>()? {
            let PublishedRow { id, location, statement, metric, value, note } = r;
            self.study.published.push(Published { id, location, statement, metric, value, note, pos });
        }
        for (pos, NoteRow { id, topic, text }) in self.read()? {
            self.study.notes.push(Note { id, topic, text, pos });
        }
        Ok(())
    }

    /// The questions for the dialogue conference (`discussion.csv`) and its feedback
    /// (`dialogue.csv`, which needs the `[dialogue]` table already read from `study.toml`).
    fn dialogue(&mut self) -> Result<()> {
        for (pos, QuestionRow { id, about, question }) in self.read()? {
            self.study.discussion.push(Question { id, about, question, pos });
        }
        for table in files(self.dir, schema::DIALOGUE.table, &mut self.study.files, self.problems)? {
            let parsed = rows(&table, &schema::DIALOGUE, &mut self.study.unreadable, self.langs, self.problems);
            let feedback: Vec<Feedback> = parsed
                .iter()
                .map(|row| {
                    let FeedbackRow { id, about, outcome, feedback, text, reason } =
                        FeedbackRow::from_row(row, self.problems);
                    Feedback { id, about, outcome, feedback, text, reason, pos: row.pos.clone() }
                })
                .collect();
            match self.study.dialogue.as_mut() {
                Some(d) => d.feedback.extend(feedback),
                None => self.problems.push(
                    &table.0,
                    None,
                    "",
                    "records the dialogue conference's feedback, but study.toml has no `[dialogue]` table with its date and participants",
                ),
            }
        }
        Ok(())
    }
}

/// An optional `date` (an interview's, a fact's): `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
pub(super) fn opt_date(row: &Row, problems: &mut Problems) -> Option<PartialDate> {
    let raw = row.opt("date")?;
    let date = parse_partial_date(&raw);
    if date.is_none() {
        problems.at(&row.pos, "date", format!("expected a real date as YYYY, YYYY-MM or YYYY-MM-DD, found `{raw}`"));
    }
    date
}

/// The files of table `name` in `dir`, relative to it: `name.csv`, then every
/// `name/*.csv` in file-name order.
pub(crate) fn table_files(dir: &Path, name: &str) -> Result<Vec<String>> {
    let single = dir.join(format!("{name}.csv"));
    let folder = dir.join(name);
    let mut paths = Vec::new();
    if single.is_file() {
        paths.push(format!("{name}.csv"));
    }
    if folder.is_dir() {
        let mut inside: Vec<String> = fs::read_dir(&folder)
            .at("list", &folder)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".csv"))
            .map(|n| format!("{name}/{n}"))
            .collect();
        inside.sort();
        paths.extend(inside);
    }
    Ok(paths)
}

/// One table's files: `name.csv`, or every `name/*.csv` in file-name order. A missing
/// optional table is simply empty; `interviews` is required.
fn files(
    dir: &Path,
    name: &str,
    files: &mut Vec<SourceFile>,
    problems: &mut Problems,
) -> Result<Vec<(String, Vec<u8>)>> {
    let paths = table_files(dir, name)?;
    if paths.is_empty() && name == "interviews" {
        problems.push(
            format!("{}/interviews.csv", dir_label(dir)),
            None,
            "",
            "expected the interview register, found no file",
        );
    }
    let mut out = Vec::new();
    for rel in paths {
        let bytes = fs::read(dir.join(&rel)).at("read", &dir.join(&rel))?;
        files.push(SourceFile { path: rel.clone(), bytes: bytes.clone() });
        out.push((format!("{}/{}", dir_label(dir), rel), bytes));
    }
    Ok(out)
}

/// The rows of one file of table `name`; a file that cannot be read as a whole is noted in
/// `unreadable`, so that references into its table are summarised instead of each reported.
fn rows<'a>(
    (file, bytes): &(String, Vec<u8>),
    schema: &schema::Schema,
    unreadable: &mut Vec<Unreadable>,
    langs: &'a [String],
    problems: &mut Problems,
) -> Vec<Row<'a>> {
    let parsed = csvfile::parse_table(file, bytes, langs, schema, problems);
    if !parsed.readable {
        unreadable.push(Unreadable { table: schema.table.to_string(), file: file.clone() });
    }
    parsed.rows
}
