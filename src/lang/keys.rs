//! The words the program itself names: every key of a language file that Rust code reads
//! is a variant of [`Word`], so a misspelt key does not compile, and [`Word::ALL`] lets
//! the loader check that a language has every one of them (a missing word is a load
//! error naming the file, never text in a PDF).
//!
//! Words the templates read by name are checked by the template engine instead (an
//! undefined word is an error, see `render::env`); words made from a name at run time
//! (a table's caption `cap_<table>`, a cell's key) are checked by [`super::Lang::check_names`].

use crate::study::Outcome;

/// Declares [`Word`] with its keys and the list of all of them.
macro_rules! words {
    ($($name:ident = $key:literal,)*) => {
        /// A word of the skeleton the program names; its key in the language files is
        /// [`Word::key`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Word {
            $(
                #[doc = concat!("`", $key, "`")]
                $name,
            )*
        }

        impl Word {
            /// Every word the program names, for the load-time check.
            pub const ALL: &'static [Word] = &[$(Word::$name,)*];

            /// The key of the word in a language file's `[words]`.
            pub const fn key(self) -> &'static str {
                match self {
                    $(Word::$name => $key,)*
                }
            }
        }
    };
}

words! {
    AltEvidenceHeatmap = "alt_evidence-heatmap",
    AltHeatRow = "alt_heat_row",
    AltModelRow = "alt_model_row",
    AltParticipantsByRegion = "alt_participants-by-region",
    AltRegionRow = "alt_region_row",
    AltShareRow = "alt_share_row",
    AltTimeline = "alt_timeline",
    AxisCount = "axis_count",
    CiteAnd = "cite_and",
    CiteEtAl = "cite_et_al",
    CiteNoDate = "cite_no_date",
    ConferenceNoteAdded = "conference_note_added",
    ConferenceNoteChanged = "conference_note_changed",
    ConferenceNoteDropped = "conference_note_dropped",
    DialogueMissing = "dialogue_missing",
    DialogueRecNote = "dialogue_rec_note",
    DialogueText = "dialogue_text",
    ErrataText = "errata_text",
    ErrataTextOk = "errata_text_ok",
    FigExcerptsByTheme = "fig_excerpts-by-theme",
    FigParticipantsByModel = "fig_participants-by-model",
    GroupInterviews = "group_interviews",
    HiddenInText = "hidden_in_text",
    IndividualInterviews = "individual_interviews",
    Interviews = "interviews",
    LegendEvaluation = "legend_evaluation",
    LegendPolicy = "legend_policy",
    MarkAdded = "mark_added",
    MarkChanged = "mark_changed",
    MarkDropped = "mark_dropped",
    Models = "models",
    NokMillion = "nok_million",
    Participants = "participants",
    SampleText = "sample_text",
    SummaryInLanguage = "summary_in_language",
    Suppressed = "suppressed",
    SuppressionNote = "suppression_note",
    SuppressionNoteAgain = "suppression_note_again",
    SurveyAll = "survey_all",
    SurveyAlt = "survey_alt",
    SurveyAnswered = "survey_answered",
    SurveyApart = "survey_apart",
    SurveyBlank = "survey_blank",
    SurveyFigcap = "survey_figcap",
    SurveyGroup = "survey_group",
    SurveyHidden = "survey_hidden",
    SurveyIntro = "survey_intro",
    SurveyN = "survey_n",
    SurveyNo = "survey_no",
    SurveyOpen = "survey_open",
    SurveyResults = "survey_results",
    SurveyTabcap = "survey_tabcap",
    SurveyUnpublished = "survey_unpublished",
    SurveyUnsplit = "survey_unsplit",
    SurveyYes = "survey_yes",
    SurveyYesno = "survey_yesno",
    ThemeCounts = "theme_counts",
    ThemeCountsExcerptsHidden = "theme_counts_excerpts_hidden",
    ThemeCountsHidden = "theme_counts_hidden",
    ThemeCountsModel = "theme_counts_model",
    ThemeCountsModelExcerptsHidden = "theme_counts_model_excerpts_hidden",
    ThemeCountsModelHidden = "theme_counts_model_hidden",
    ThemeCountsModelPeopleHidden = "theme_counts_model_people_hidden",
    ThemeCountsPeopleHidden = "theme_counts_people_hidden",
    ThemeCountsReconstructed = "theme_counts_reconstructed",
}

impl Word {
    /// The mark a finding or recommendation carries in the final report after the
    /// dialogue conference; none for one it confirmed.
    pub fn mark(outcome: Outcome) -> Option<Word> {
        match outcome {
            Outcome::Confirmed => None,
            Outcome::Changed => Some(Word::MarkChanged),
            Outcome::Added => Some(Word::MarkAdded),
            Outcome::Dropped => Some(Word::MarkDropped),
        }
    }

    /// The sentence saying what the dialogue conference did to a finding; none for one it
    /// confirmed.
    pub fn conference_note(outcome: Outcome) -> Option<Word> {
        match outcome {
            Outcome::Confirmed => None,
            Outcome::Changed => Some(Word::ConferenceNoteChanged),
            Outcome::Added => Some(Word::ConferenceNoteAdded),
            Outcome::Dropped => Some(Word::ConferenceNoteDropped),
        }
    }
}
