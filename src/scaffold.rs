//! `bsb new DIR`: a minimal study that builds at once, for a team starting its own
//! evaluation. It writes `DIR/data/` (the study file, an interview register, a small
//! codebook, a few excerpts, one trait, two recommendations and a prose file per chapter
//! in each language, each computed value shown once) and `DIR/README.md` saying which
//! file to edit for what. A language other than nb, nn and en also gets
//! `data/lang/<code>.toml`, a copy of the English words to translate.
//!
//! The shape is adjustable (`--models`, `--regions`), so a team can start from the shape
//! of its own study.

use std::path::Path;

use crate::problem::{build_err, IoContext, Result};
use crate::study::rows::{
    self, CodeRow, ExcerptRow, InterviewRow, ModelFindingRow, RecColumnRow, RecommendationRow, TraitRow,
};
use crate::study::studytoml::{ModelToml, PerLang, RegionToml, StudyToml, UnitToml};
use crate::study::{Coding, InterviewKind, Text};

/// How many regions and models the new study has, and in which languages.
#[derive(Clone, Debug)]
pub struct Shape {
    /// The study's languages, first the one the committed Markdown tables use.
    pub langs: Vec<String>,
    /// How many regions (each with one unit per model).
    pub regions: usize,
    /// How many organisational models.
    pub models: usize,
}

/// Texts of the example study in one language (nb, nn or en; other languages use en).
struct Words {
    title: &'static str,
    subtitle: &'static str,
    short_title: &'static str,
    commissioner: &'static str,
    author: &'static str,
    notice: &'static str,
    keywords: &'static [&'static str],
    model: &'static str,
    model_desc: &'static str,
    region: &'static str,
    unit: &'static str,
    themes: [(&'static str, &'static str); 2],
    subthemes: [(&'static str, &'static str); 2],
    excerpts: [&'static str; 4],
    trait_label: &'static str,
    finding: &'static str,
    rec_column: &'static str,
    recs: [&'static str; 2],
    prose: Prose,
}

/// One chapter file each; `{{ … }}` values are filled by bsb.
struct Prose {
    summary: &'static str,
    introduction: &'static str,
    method: &'static str,
    findings: &'static str,
    theme1: &'static str,
    theme2: &'static str,
    models: &'static str,
    overall: &'static str,
    recommendations: &'static str,
}

const NB: Words = Words {
    title: "Eksempelstudie",
    subtitle: "En Bruker Spør Bruker-undersøkelse",
    short_title: "Eksempelstudie",
    commissioner: "Oppdragsgiveren",
    author: "Evalueringsteamet",
    notice: "Sitatene er korte gjengivelser av det deltakerne fortalte, merket bare med modellen de kommer fra.",
    keywords: &["Bruker Spør Bruker", "evaluering"],
    model: "Modell",
    model_desc: "Slik er tjenesten organisert i denne modellen.",
    region: "Region",
    unit: "Enhet",
    themes: [("Informasjon om tilbudet", "Hvordan deltakerne fikk vite om tilbudet."), ("Møtet med tjenesten", "Hvordan deltakerne opplevde de ansatte og behandlingen.")],
    subthemes: [("Kanaler", "Hvor informasjonen kom fra."), ("Å bli lyttet til", "Om de ansatte lyttet og tok deltakerne på alvor.")],
    excerpts: [
        "Jeg fikk høre om tilbudet fra en venn som hadde vært der.",
        "Det var vanskelig å finne skriftlig informasjon om hva tilbudet gikk ut på.",
        "De ansatte tok seg tid til å lytte, og jeg ble tatt på alvor.",
        "Jeg fikk være med på å bestemme hvordan behandlingen skulle legges opp.",
    ],
    trait_label: "Informasjon",
    finding: "Deltakerne fikk vite om tilbudet mest gjennom andre brukere.",
    rec_column: "Tjenesten",
    recs: ["Gi skriftlig informasjon om tilbudet før innleggelse.", "La brukerne være med på å planlegge behandlingen."],
    prose: Prose {
        summary: "Dette er en eksempelstudie laget av `bsb new`. Bytt ut teksten med studiens eget sammendrag.\n",
        introduction: "Her står bakgrunnen for evalueringen: oppdraget, spørsmålene og hvem som gjennomførte den.\n",
        method: "Vi intervjuet {{ n.participants|count(\"participant\") }} i {{ n.interviews|count(\"interview\") }}: {{ n.individual_interviews|count(\"individual_interview\") }} og {{ n.group_interviews|count(\"group_interview\") }}. Deltakerne kom fra {{ n.regions|count(\"region\") }} og {{ n.units|count(\"unit\") }}, fordelt på {{ n.models|count(\"model\") }}. Tall under {{ k }} vises ikke i tabellene (se @tab-participants).\n",
        findings: "Analysen bygger på {{ n.excerpts|count(\"excerpt\") }}, kodet til {{ n.themes|count(\"theme\") }} med {{ n.subthemes|count(\"subtheme\") }}.\n",
        theme1: "Skriv her hva deltakerne fortalte om dette temaet.\n",
        theme2: "Skriv her hva deltakerne fortalte om dette temaet.\n",
        models: "Sammenligningen av modellene har {{ n.traits|count(\"trait\") }} (@tab-model-matrix). I {{ models_example }} var det {{ model_first.participants|count(\"participant\") }} i {{ model_first.interviews|count(\"interview\") }}.\n",
        overall: "Her står en samlet oppsummering av funnene.\n",
        recommendations: "Vi gir {{ n.recommendations|count(\"recommendation\") }} (@tab-recommendations). Studien har {{ n.factors|words }} sammenligningsfaktorer, {{ n.events|words }} hendelser på tidslinjen og {{ n.notes|words }} datamerknader.\n",
    },
};

const NN: Words = Words {
    title: "Eksempelstudie",
    subtitle: "Ei Brukar Spør Brukar-undersøking",
    short_title: "Eksempelstudie",
    commissioner: "Oppdragsgjevaren",
    author: "Evalueringsteamet",
    notice: "Sitata er korte attgjevingar av det deltakarane fortalde, merkte berre med modellen dei kjem frå.",
    keywords: &["Brukar Spør Brukar", "evaluering"],
    model: "Modell",
    model_desc: "Slik er tenesta organisert i denne modellen.",
    region: "Region",
    unit: "Eining",
    themes: [("Informasjon om tilbodet", "Korleis deltakarane fekk vite om tilbodet."), ("Møtet med tenesta", "Korleis deltakarane opplevde dei tilsette og behandlinga.")],
    subthemes: [("Kanalar", "Kvar informasjonen kom frå."), ("Å bli lytta til", "Om dei tilsette lytta og tok deltakarane på alvor.")],
    excerpts: [
        "Eg fekk høyre om tilbodet frå ein ven som hadde vore der.",
        "Det var vanskeleg å finne skriftleg informasjon om kva tilbodet gjekk ut på.",
        "Dei tilsette tok seg tid til å lytte, og eg vart teken på alvor.",
        "Eg fekk vere med på å bestemme korleis behandlinga skulle leggjast opp.",
    ],
    trait_label: "Informasjon",
    finding: "Deltakarane fekk vite om tilbodet mest gjennom andre brukarar.",
    rec_column: "Tenesta",
    recs: ["Gje skriftleg informasjon om tilbodet før innlegging.", "La brukarane vere med på å planleggje behandlinga."],
    prose: Prose {
        summary: "Dette er ei eksempelstudie laga av `bsb new`. Byt ut teksten med samandraget til studien.\n",
        introduction: "Her står bakgrunnen for evalueringa: oppdraget, spørsmåla og kven som gjennomførte ho.\n",
        method: "Vi intervjua {{ n.participants|count(\"participant\") }} i {{ n.interviews|count(\"interview\") }}: {{ n.individual_interviews|count(\"individual_interview\") }} og {{ n.group_interviews|count(\"group_interview\") }}. Deltakarane kom frå {{ n.regions|count(\"region\") }} og {{ n.units|count(\"unit\") }}, fordelte på {{ n.models|count(\"model\") }}. Tal under {{ k }} blir ikkje viste i tabellane (sjå @tab-participants).\n",
        findings: "Analysen byggjer på {{ n.excerpts|count(\"excerpt\") }}, koda til {{ n.themes|count(\"theme\") }} med {{ n.subthemes|count(\"subtheme\") }}.\n",
        theme1: "Skriv her kva deltakarane fortalde om dette temaet.\n",
        theme2: "Skriv her kva deltakarane fortalde om dette temaet.\n",
        models: "Samanlikninga av modellane har {{ n.traits|count(\"trait\") }} (@tab-model-matrix). I {{ models_example }} var det {{ model_first.participants|count(\"participant\") }} i {{ model_first.interviews|count(\"interview\") }}.\n",
        overall: "Her står ei samla oppsummering av funna.\n",
        recommendations: "Vi gjev {{ n.recommendations|count(\"recommendation\") }} (@tab-recommendations). Studien har {{ n.factors|words }} samanlikningsfaktorar, {{ n.events|words }} hendingar på tidslinja og {{ n.notes|words }} datamerknader.\n",
    },
};

const EN: Words = Words {
    title: "Example study",
    subtitle: "A user-asks-user study",
    short_title: "Example study",
    commissioner: "The commissioning body",
    author: "The evaluation team",
    notice: "The excerpts are short paraphrases of what participants said, each marked only with the model it comes from.",
    keywords: &["user asks user", "evaluation"],
    model: "Model",
    model_desc: "How the service is organised in this model.",
    region: "Region",
    unit: "Unit",
    themes: [("Information about the service", "How participants learned about the service."), ("Meeting the service", "How participants experienced the staff and the treatment.")],
    subthemes: [("Channels", "Where the information came from."), ("Being listened to", "Whether staff listened and took participants seriously.")],
    excerpts: [
        "I heard about the service from a friend who had been there.",
        "It was hard to find anything in writing about what the service offered.",
        "The staff took time to listen, and I was taken seriously.",
        "I had a say in how my treatment was planned.",
    ],
    trait_label: "Information",
    finding: "Participants learned of the service mostly through other users.",
    rec_column: "The service",
    recs: ["Give written information about the service before admission.", "Let users take part in planning their treatment."],
    prose: Prose {
        summary: "This is an example study made by `bsb new`. Replace this text with the study's own summary.\n",
        introduction: "Here goes the background of the evaluation: the commission, the questions and who carried it out.\n",
        method: "We interviewed {{ n.participants|count(\"participant\") }} in {{ n.interviews|count(\"interview\") }}: {{ n.individual_interviews|count(\"individual_interview\") }} and {{ n.group_interviews|count(\"group_interview\") }}. They came from {{ n.regions|count(\"region\") }} and {{ n.units|count(\"unit\") }}, across {{ n.models|count(\"model\") }}. Counts below {{ k }} are not shown in the tables (see @tab-participants).\n",
        findings: "The analysis rests on {{ n.excerpts|count(\"excerpt\") }}, coded to {{ n.themes|count(\"theme\") }} with {{ n.subthemes|count(\"subtheme\") }}.\n",
        theme1: "Write here what participants told about this theme.\n",
        theme2: "Write here what participants told about this theme.\n",
        models: "The comparison of the models has {{ n.traits|count(\"trait\") }} (@tab-model-matrix). In {{ models_example }} there were {{ model_first.participants|count(\"participant\") }} in {{ model_first.interviews|count(\"interview\") }}.\n",
        overall: "Here goes an overall summary of the findings.\n",
        recommendations: "We make {{ n.recommendations|count(\"recommendation\") }} (@tab-recommendations). The study has {{ n.factors|words }} comparison factors, {{ n.events|words }} timeline events and {{ n.notes|words }} data notes.\n",
    },
};

fn words(lang: &str) -> &'static Words {
    match lang {
        "nb" => &NB,
        "nn" => &NN,
        _ => &EN,
    }
}

fn letter(i: usize) -> String {
    // A, B, … Z, AA, AB …
    let mut n = i;
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (n % 26) as u8) as char);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s
}

/// `data/study.toml` of a new study, written from the study file's types, with a comment
/// on each key a team is likely to change.
fn study_toml(shape: &Shape) -> String {
    let langs = &shape.langs;
    let text = |f: &dyn Fn(&Words) -> String| PerLang::each(langs, |l| f(words(l)));
    let doc = StudyToml {
        slug: "example-study".into(),
        version: "0.1.0".into(),
        date: "2026-01-01".into(),
        small_cell_k: Some(3),
        languages: langs.clone(),
        coding: Some(Coding::Original),
        omit_hidden_excerpts: false,
        identifying_terms: Vec::new(),
        title: text(&|w| w.title.into()),
        subtitle: text(&|w| w.subtitle.into()),
        short_title: text(&|w| w.short_title.into()),
        commissioner: text(&|w| w.commissioner.into()),
        author: text(&|w| w.author.into()),
        excerpt_notice: text(&|w| w.notice.into()),
        keywords: PerLang::each(langs, |l| words(l).keywords.iter().map(|k| k.to_string()).collect()),
        edition: None,
        model: (0..shape.models)
            .map(|m| ModelToml {
                id: format!("M{}", m + 1),
                short: text(&|w| format!("{} {}", w.model, letter(m))),
                name: text(&|w| format!("{} {}", w.model, letter(m))),
                description: text(&|w| w.model_desc.into()),
            })
            .collect(),
        region: (0..shape.regions)
            .map(|r| RegionToml { id: format!("r{}", r + 1), name: text(&|w| format!("{} {}", w.region, letter(r))) })
            .collect(),
        unit: (0..shape.regions)
            .flat_map(|r| (0..shape.models).map(move |m| (r, m)))
            .map(|(r, m)| UnitToml {
                id: format!("u{}-{}", r + 1, m + 1),
                region: format!("r{}", r + 1),
                model: format!("M{}", m + 1),
                name: text(&|w| format!("{} {}{}", w.unit, letter(r), m + 1)),
                places: Vec::new(),
            })
            .collect(),
        dialogue: None,
    };
    doc.to_toml(&[
        ("", "The study: what the report is about, who made it, and how the sample is organised."),
        ("small_cell_k", "Person counts from 1 to k-1 in tables finer than the sample print as \"<k\"."),
        (
            "coding",
            "Excerpts from a row with a hidden small count print without their model;\n\
             `omit_hidden_excerpts = true` leaves them out.\n\
             Where the coding comes from: \"original\" (excerpts coded from the interviews) or\n\
             \"reconstructed\" (written afterwards from a published report; then no count of people per theme is printed).",
        ),
        ("identifying_terms", "Names that must never appear in an excerpt (besides region and unit names)."),
        (
            "unit",
            "`places`: hospital, town or site of the unit, never named where it is the only unit of its region.",
        ),
    ])
}

/// A text in each language of `langs`, from that language's words.
fn text(langs: &[String], f: impl Fn(&Words) -> String) -> Text {
    Text(langs.iter().map(|l| (l.clone(), f(words(l)))).collect())
}

/// A file the study's one writer ([`rows::write`]) wrote, as text (it writes UTF-8).
fn file(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_default()
}

/// The sample and the coding of a new study (interviews, codebook, excerpts), by path
/// relative to DIR.
fn coding_tables(shape: &Shape) -> Vec<(String, String)> {
    let langs = &shape.langs;
    let mut out = Vec::new();

    // interviews.csv: per unit one individual interview and one group of three.
    let mut interviews = Vec::new();
    for r in 0..shape.regions {
        for m in 0..shape.models {
            for (kind, people) in [(InterviewKind::Individual, 1), (InterviewKind::Group, 3)] {
                interviews.push(InterviewRow {
                    id: format!("I{:02}", interviews.len() + 1),
                    region: format!("r{}", r + 1),
                    unit: format!("u{}-{}", r + 1, m + 1),
                    kind,
                    participants: people,
                    date: None,
                    guid: None,
                });
            }
        }
    }
    out.push(("data/interviews.csv".into(), file(rows::write(langs, &interviews))));

    let mut codes = Vec::new();
    for t in 0..2 {
        let theme = |w: &Words| w.themes[t];
        let sub = |w: &Words| w.subthemes[t];
        codes.push(CodeRow {
            id: format!("T0{}", t + 1),
            parent: None,
            section: String::new(),
            label: text(langs, |w| theme(w).0.into()),
            description: text(langs, |w| theme(w).1.into()),
            guid: None,
            color: None,
        });
        codes.push(CodeRow {
            id: format!("T0{}.1", t + 1),
            parent: Some(format!("T0{}", t + 1)),
            section: String::new(),
            label: text(langs, |w| sub(w).0.into()),
            description: text(langs, |w| sub(w).1.into()),
            guid: None,
            color: None,
        });
    }
    out.push(("data/codebook.csv".into(), file(rows::write(langs, &codes))));

    // excerpts.csv: every participant speaks to both themes, so that each theme's count
    // reaches the small-count limit and the first PDF shows counts and excerpts.
    let mut excerpts = Vec::new();
    let people = interviews.iter().flat_map(|i| (0..i.participants).map(move |p| (&i.id, p)));
    for (person, (id, p)) in people.enumerate() {
        for (theme, code) in ["T01.1", "T02.1"].iter().enumerate() {
            let which = theme * 2 + person % 2;
            excerpts.push(ExcerptRow {
                id: format!("E{:03}", excerpts.len() + 1),
                interview: id.clone(),
                participant: format!("{id}-P{}", p + 1),
                codes: vec![code.to_string()],
                text: text(langs, |w| w.excerpts[which].into()),
                guid: None,
            });
        }
    }
    out.push(("data/excerpts.csv".into(), file(rows::write(langs, &excerpts))));
    out
}

/// The model comparison and the recommendations of a new study, by path relative to DIR.
fn comparison_tables(shape: &Shape) -> Vec<(String, String)> {
    let langs = &shape.langs;
    let mut out = Vec::new();
    let traits =
        [TraitRow { id: "TR01".into(), label: text(langs, |w| w.trait_label.into()), codes: vec!["T01".into()] }];
    out.push(("data/traits.csv".into(), file(rows::write(langs, &traits))));
    let findings: Vec<ModelFindingRow> = (0..shape.models)
        .map(|m| ModelFindingRow {
            trait_id: "TR01".into(),
            model: format!("M{}", m + 1),
            finding: text(langs, |w| w.finding.into()),
        })
        .collect();
    out.push(("data/model-findings.csv".into(), file(rows::write(langs, &findings))));
    let columns = [RecColumnRow { id: "service".into(), label: text(langs, |w| w.rec_column.into()) }];
    out.push(("data/recommendation-columns.csv".into(), file(rows::write(langs, &columns))));
    let recs: Vec<RecommendationRow> = (0..2)
        .map(|i| RecommendationRow {
            id: format!("R0{}", i + 1),
            column: "service".into(),
            text: text(langs, |w| w.recs[i].into()),
            rests_on: vec![format!("T0{}", i + 1)],
        })
        .collect();
    out.push(("data/recommendations.csv".into(), file(rows::write(langs, &recs))));
    out
}

/// The files of a new study, by path relative to DIR.
pub fn files(shape: &Shape) -> Vec<(String, String)> {
    let langs = &shape.langs;
    let mut out = vec![("data/study.toml".to_string(), study_toml(shape))];
    out.extend(coding_tables(shape));
    out.extend(comparison_tables(shape));
    for l in langs {
        let p = &words(l).prose;
        let models_line = |t: &str| t.replace("{{ models_example }}", "{{ model_name }}");
        let chapters: [(&str, String); 9] = [
            ("summary", p.summary.into()),
            ("introduction", p.introduction.into()),
            ("method", p.method.into()),
            ("findings", p.findings.into()),
            ("theme-T01", p.theme1.into()),
            ("theme-T02", p.theme2.into()),
            ("models", models_line(p.models)),
            ("overall", p.overall.into()),
            ("recommendations", p.recommendations.into()),
        ];
        for (chapter, text) in chapters {
            let text =
                text.replace("{{ model_name }}", &format!("{} A", words(l).model)).replace("model_first.", "model.M1.");
            out.push((format!("data/prose/{l}/{chapter}.typ"), text));
        }
        if !crate::lang::FILES.iter().any(|(c, _)| c == l) {
            let english = crate::lang::FILES.iter().find(|(c, _)| *c == "en").map(|(_, t)| *t).unwrap_or_default();
            out.push((
                format!("data/lang/{l}.toml"),
                format!(
                    "# The report's words in `{l}`: a copy of the English file for you to translate.\n# Keep every key; `bsb check` names any that is missing.\n{english}"
                ),
            ));
        }
    }
    out.push(("README.md".into(), readme(shape)));
    out.push(("data/prose/README.md".into(), PROSE_README.into()));
    // What a build writes for itself (its lock, its staging area, its state) is not the
    // study's: a team that commits the study does not commit these.
    out.push((".gitignore".into(), "report/.bsb.lock\nreport/.bsb-stage/\nreport/out/.bsb-state.json\n".into()));
    out
}

/// `data/prose/README.md` of a new study: what a prose file may contain, and where the
/// values are listed (`bsb values` prints them with what they print for the study).
const PROSE_README: &str = r#"# data/prose: the chapter text

One file per chapter and language: `data/prose/<lang>/<chapter>.typ`. The program writes
each chapter's heading, the tables, the figures, the excerpts and the counts; a file here
holds the running text that goes with them. A chapter without a file is left out.

## Values, never typed numbers
Every count comes from the data. `bsb values` prints each value this study has, with the
text it prints in each language (`bsb values --lang en`). The names are:

- `n.regions`, `n.units`, `n.models`, `n.interviews`, `n.individual_interviews`,
  `n.group_interviews`, `n.participants`, `n.excerpts`, `n.themes`, `n.subthemes`,
  `n.traits`, `n.factors`, `n.recommendations`, `n.events`, `n.notes`,
  `n.hidden_small`, `n.hidden_secondary`, and `k` (the small-count limit);
- `model.<id>.participants` and `model.<id>.interviews` for each model (`model.M1.participants`);
- `fact.<id>`, `share["<set>"]["<part>"]` and `published.<id>` when the study has context data.

Write a value as `{{ n.participants }}`. Filters change how it reads:
`{{ n.regions|words }}` (a word for a small number), `{{ n.regions|count("region") }}` (number
and noun), `{{ n.regions|numeral("region") }}` (always digits), `{{ n.regions|plural("region") }}`
(the noun alone), `{{ names|and_list }}` and `{{ text|upfirst }}`; the test
`{% if n.models is one %}…{% else %}…{% endif %}` picks a sentence by the count. The nouns
are those of the language file (`region`, `unit`, `model`, `interview`, `participant`, …).

## Markup
The rest is typst markup: a blank line between paragraphs, `==` for a subheading (the
chapter's own heading is written by the program), `-` and `+` for lists, `_emphasis_`,
`*strong*`, and `@label` to refer to a table or figure. Write `\#`, `\$`, `\@`, `\*` or `\_`
for the character itself.

`bsb check` renders and typesets every chapter in every language without writing anything,
and names each mistake with its file, line and column.
"#;

fn readme(shape: &Shape) -> String {
    let langs = shape.langs.join(", ");
    format!(
        r#"# A user-asks-user study

Made by `bsb new` in {langs}. It builds as it is:

```
bsb build --data data      # tables in report/tables, figures in figures/, PDFs in report/out/
bsb check --data data      # validate, and fail if report/tables or figures/ are out of date
```

Every number in the report is computed from `data/`. Edit these files, then build again:

| to change | edit |
|---|---|
| title, subtitle, commissioner, authors, date, version, languages, the small-count limit | `data/study.toml` |
| the organisational models, regions and units | `data/study.toml` (`[[model]]`, `[[region]]`, `[[unit]]`) |
| who was interviewed (one row per interview) | `data/interviews.csv` |
| themes and subthemes | `data/codebook.csv` |
| the excerpts (short paraphrases, coded to themes) | `data/excerpts.csv` |
| the model comparison table | `data/traits.csv`, `data/model-findings.csv` |
| the recommendations table | `data/recommendation-columns.csv`, `data/recommendations.csv` |
| the chapter text, one file per chapter and language | `data/prose/<lang>/<chapter>.typ` |
| a word of the report's skeleton (a heading, a caption) | `data/words/<lang>.toml`, e.g. `[words]` `models = "The ways of working"` |
| the nouns counted in sentences | `data/words/<lang>.toml`, `[nouns]` `region = {{ one = "county", other = "counties" }}` |
| a language other than nb, nn and en | `data/lang/<code>.toml` (all the report's words in that language) |

Optional files add parts of the report: `data/factors.csv` (a comparison with an earlier
report), `data/published.csv` (figures of a published report checked against the data),
`data/notes.csv` (data notes), `data/context/` (a timeline, facts and breakdowns with their
own tables and figures; their captions go in `data/words/<lang>.toml` as `cap_<table>`,
`fig_<figure>`, `figcap_<figure>`). `data/README.md` of the bsb repository lists every
column.

## Numbers in the text
No number is typed in prose. Write `{{{{ n.participants }}}}` for the count as a numeral,
`{{{{ n.regions|words }}}}` for "four" / "fire" (words up to twelve in Norwegian, nine in
English), `{{{{ n.regions|count("region") }}}}` for "four health regions" / "fire
helseregioner" / "one health region", `{{{{ n.regions|plural("region") }}}}` for the noun
alone, `{{{{ n.regions|numeral("region") }}}}` for "4 health regions", and
`{{% if n.models is one %}}…{{% endif %}}` for a sentence that depends on the count. The
prose files show each value once: `n.*`, `model.<id>.participants`, `model.<id>.interviews`
and `k`; with context data also `fact.<id>`, `share["<set>"]["<part>"]` and
`published.<id>`.
"#
    )
}

/// Write a new study into `dir` (which must not exist or be empty).
pub fn new_study(dir: &Path, shape: &Shape) -> Result<()> {
    if shape.langs.is_empty() {
        return Err(build_err("bsb new: give at least one language with --lang"));
    }
    for l in &shape.langs {
        if l.is_empty() || !l.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(build_err(format!("bsb new: expected a language code like `nb`, found `{l}`")));
        }
    }
    for (i, l) in shape.langs.iter().enumerate() {
        if shape.langs[..i].contains(l) {
            return Err(build_err(format!("bsb new: `{l}` is given twice with --lang; give each language once")));
        }
    }
    if !(1..=26).contains(&shape.models) || !(1..=99).contains(&shape.regions) {
        return Err(build_err("bsb new: expected 1 to 26 models and 1 to 99 regions"));
    }
    if dir.exists() && std::fs::read_dir(dir).at("read", dir)?.next().is_some() {
        return Err(build_err(format!("bsb new: {} exists and is not empty", dir.display())));
    }
    for (path, text) in files(shape) {
        let full = dir.join(&path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).at("create", parent)?;
        }
        std::fs::write(&full, text).at("write", &full)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_run_on_past_z() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
    }

    #[test]
    fn a_new_study_loads_and_validates() {
        let dir = std::env::temp_dir().join(format!("bsb-scaffold-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let shape = Shape { langs: vec!["nb".into(), "nn".into(), "en".into(), "de".into()], regions: 2, models: 3 };
        new_study(&dir, &shape).unwrap();
        let checked = crate::cmd::load_and_validate(&dir.join("data"));
        let _ = std::fs::remove_dir_all(&dir);
        let checked = checked.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked.study.models.len(), 3);
        assert_eq!(checked.study.regions.len(), 2);
        for l in ["nb", "nn", "en", "de"] {
            crate::lang::Lang::for_study(l, &checked.study).unwrap_or_else(|e| panic!("{l}: {e}"));
        }
    }
}
