//! Figures: every SVG parses, holds its data and its alt text, in each language.

use crate::common::*;

#[test]
fn figures_parse_and_hold_their_data() {
    let out = reference_build();
    let interviews = read_csv(&root().join("data/interviews.csv"));
    for lang in ["nb", "en"] {
        let svg = fs::read_to_string(out.join(format!("figures/participants-by-region.{lang}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("font-family=\"Libertinus Serif\""));
        assert!(!svg.contains("sans-serif"));
        // One bar per region and series (fill and outline), besides the background and the
        // legend's three swatches (fill and outline).
        let regions: std::collections::BTreeSet<_> = interviews.iter().map(|r| r["region"].clone()).collect();
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 2 * 3 + 2 * 3 * regions.len(),
            "bars for {} regions",
            regions.len()
        );
        for name in ["Helse Nord", "Helse Midt-Norge", "Helse Vest", "Helse Sør-Øst"] {
            assert!(svg.contains(name), "{name} labelled");
        }
        let timeline = fs::read_to_string(out.join(format!("figures/policy-timeline.{lang}.svg"))).unwrap();
        let events = read_csv(&root().join("data/context/timeline.csv")).len();
        assert_eq!(
            timeline.matches("<circle").count() / 2 + timeline.matches("<polygon").count() - 1,
            events,
            "one marker per event"
        );
    }
    let nb = fs::read_to_string(out.join("figures/participants-by-region.nb.svg")).unwrap();
    let en = fs::read_to_string(out.join("figures/participants-by-region.en.svg")).unwrap();
    assert!(nb.contains("Eneintervjuer") && en.contains("Individual interviews"));
    let unn = fs::read_to_string(out.join("figures/unn-antipsychotics.nb.svg")).unwrap();
    assert!(unn.contains("60\u{a0}%") || unn.contains("60&#160;%") || unn.contains("60 %"), "nb percent style");
}

#[test]
fn every_figure_parses_in_both_languages_and_the_heatmap_has_a_cell_per_theme_and_model() {
    let out = reference_build();
    let names = [
        "participants-by-region",
        "evidence-heatmap",
        "excerpts-by-theme",
        "policy-timeline",
        "unn-diagnoses",
        "unn-antipsychotics",
    ];
    for name in names {
        for lang in ["nb", "en"] {
            let path = out.join(format!("figures/{name}.{lang}.svg"));
            let svg = fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} exists", path.display()));
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{name}.{lang} is one SVG element");
            assert_eq!(
                svg.matches("<text").count(),
                svg.matches("</text>").count(),
                "{name}.{lang}: text elements close"
            );
            assert!(
                svg.contains("font-family=\"Libertinus Serif\"") && !svg.contains("sans-serif"),
                "{name}.{lang}: a family typst has"
            );
        }
        assert_ne!(
            fs::read(out.join(format!("figures/{name}.nb.svg"))).unwrap(),
            fs::read(out.join(format!("figures/{name}.en.svg"))).unwrap(),
            "{name}: words differ by language"
        );
    }
    // Heatmap: one shaded or hatched cell per theme and model, and every hidden cell says so
    // instead of showing a number. Themes and their evidence come from the framework table.
    let fw = read_csv(&out.join("report/tables/framework-matrix.csv"));
    let codebook: Vec<_> =
        fs::read_dir(root().join("data/codebook")).unwrap().flat_map(|e| read_csv(&e.unwrap().path())).collect();
    let themes: Vec<_> =
        fw.iter().filter(|r| codebook.iter().any(|c| c["id"] == r["id"] && c["parent"].is_empty())).collect();
    let hidden = themes
        .iter()
        .flat_map(|r| ["M1", "M2"].map(|m| r[&format!("excerpts_{m}")].clone()))
        .filter(|v| v == ":")
        .count();
    let svg = fs::read_to_string(out.join("figures/evidence-heatmap.en.svg")).unwrap();
    // Background, then per cell one filled rectangle; a hidden cell adds an outline.
    assert_eq!(svg.matches("<rect").count(), 1 + themes.len() * 2 + hidden);
    assert_eq!(svg.matches(">\nhidden\n<").count(), hidden, "each hidden cell is labelled hidden");
    for r in &themes {
        for m in ["M1", "M2"] {
            let v = &r[&format!("excerpts_{m}")];
            if v != ":" {
                assert!(svg.contains(&format!(">\n{v}\n<")), "cell {} {m} shows {v}", r["id"]);
            }
        }
    }
}
