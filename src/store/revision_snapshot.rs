//! How a saved version of a story is kept. The format is its own, numbered
//! struct rather than the write model, so `ArticleWrite` can change without
//! breaking the revisions already saved: a new field gets a default here, a
//! renamed one a new format number and a conversion.

use serde::{Deserialize, Serialize};

use super::models::{ArticleStatus, SectionId, Source, StaffId, TagId};
use super::{ArticleWrite, StoreError};

/// A story as one revision kept it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevisionSnapshot {
    /// Revisions saved before the format was numbered are format 1.
    #[serde(default = "RevisionSnapshot::first_format")]
    pub format: u32,
    pub translation_group: String,
    pub language: String,
    pub slug: String,
    pub headline: String,
    pub standfirst: String,
    pub body: String,
    pub cover_url: Option<String>,
    pub cover_alt: String,
    pub cover_credit: String,
    pub section_id: Option<SectionId>,
    pub status: ArticleStatus,
    pub meta_title: String,
    pub meta_description: String,
    /// Older revisions were saved before this field existed.
    #[serde(default)]
    pub social_image_url: Option<String>,
    pub published_at: Option<i64>,
    pub content_updated_at: Option<i64>,
    pub scheduled_at: Option<i64>,
    pub author_ids: Vec<StaffId>,
    pub tag_ids: Vec<TagId>,
    pub sources: Vec<Source>,
}

impl RevisionSnapshot {
    /// The format this build writes.
    pub const FORMAT: u32 = 1;

    fn first_format() -> u32 {
        1
    }

    pub fn of(write: &ArticleWrite) -> Self {
        let w = write.clone();
        RevisionSnapshot {
            format: Self::FORMAT,
            translation_group: w.translation_group,
            language: w.language,
            slug: w.slug,
            headline: w.headline,
            standfirst: w.standfirst,
            body: w.body,
            cover_url: w.cover_url,
            cover_alt: w.cover_alt,
            cover_credit: w.cover_credit,
            section_id: w.section_id,
            status: w.status,
            meta_title: w.meta_title,
            meta_description: w.meta_description,
            social_image_url: w.social_image_url,
            published_at: w.published_at,
            content_updated_at: w.content_updated_at,
            scheduled_at: w.scheduled_at,
            author_ids: w.author_ids,
            tag_ids: w.tag_ids,
            sources: w.sources,
        }
    }

    /// Reads a snapshot's JSON (already unpacked), refusing formats from a
    /// newer build rather than misreading them.
    pub fn parse(json: &str) -> Result<Self, StoreError> {
        let snapshot: RevisionSnapshot = serde_json::from_str(json)
            .map_err(|e| StoreError::Corrupt(format!("revision snapshot: {e}")))?;
        if snapshot.format > Self::FORMAT {
            return Err(StoreError::Corrupt(format!(
                "revision snapshot format {} is newer than this build reads",
                snapshot.format
            )));
        }
        Ok(snapshot)
    }

    pub fn to_json(&self) -> Result<String, StoreError> {
        serde_json::to_string(self).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    pub fn into_write(self) -> ArticleWrite {
        ArticleWrite {
            translation_group: self.translation_group,
            language: self.language,
            slug: self.slug,
            headline: self.headline,
            standfirst: self.standfirst,
            body: self.body,
            cover_url: self.cover_url,
            cover_alt: self.cover_alt,
            cover_credit: self.cover_credit,
            section_id: self.section_id,
            status: self.status,
            meta_title: self.meta_title,
            meta_description: self.meta_description,
            social_image_url: self.social_image_url,
            published_at: self.published_at,
            content_updated_at: self.content_updated_at,
            scheduled_at: self.scheduled_at,
            author_ids: self.author_ids,
            tag_ids: self.tag_ids,
            sources: self.sources,
            as_history: false,
        }
    }

    /// The same text and lists, whatever the workflow status and its times.
    pub fn same_text(&self, other: &RevisionSnapshot) -> bool {
        let strip = |s: &RevisionSnapshot| RevisionSnapshot {
            format: Self::FORMAT,
            status: ArticleStatus::Draft,
            published_at: None,
            content_updated_at: None,
            scheduled_at: None,
            ..s.clone()
        };
        strip(self) == strip(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A revision as builds before the numbered format saved it.
    const UNNUMBERED: &str = r#"{"translation_group":"g","language":"uk","slug":"s","headline":"H",
        "standfirst":"","body":"B","cover_url":null,"cover_alt":"","cover_credit":"","section_id":3,
        "status":"published","meta_title":"","meta_description":"","published_at":1,
        "content_updated_at":null,"scheduled_at":null,"author_ids":[1],"tag_ids":[],"sources":[]}"#;

    #[test]
    fn revisions_saved_before_the_format_was_numbered_still_read() {
        let old = RevisionSnapshot::parse(UNNUMBERED).unwrap();
        assert_eq!(old.format, 1);
        assert_eq!(old.social_image_url, None);
        let write = old.clone().into_write();
        assert_eq!(write.headline, "H");
        assert_eq!(write.section_id, Some(SectionId(3)));
        let again =
            RevisionSnapshot::parse(&RevisionSnapshot::of(&write).to_json().unwrap()).unwrap();
        assert_eq!(again, old);
    }

    #[test]
    fn a_newer_format_is_refused_not_misread() {
        let newer = UNNUMBERED.replacen('{', "{\"format\":2,", 1);
        assert!(matches!(
            RevisionSnapshot::parse(&newer),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn workflow_times_are_not_text() {
        let a = RevisionSnapshot::parse(UNNUMBERED).unwrap();
        let mut b = a.clone();
        b.status = ArticleStatus::Unpublished;
        b.scheduled_at = Some(9);
        assert!(a.same_text(&b));
        b.body.push('!');
        assert!(!a.same_text(&b));
    }
}
