//! Sections and tags, named in each of the site's languages.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::app::AppState;
use crate::content::slug::is_valid_slug;
use crate::services::{FieldError, ServiceError, ServiceResult};
use crate::store::{Section, StoreError};

/// Names by language code; an empty name removes that language's name.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NamesInput {
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// Sections only: where the section sits in the navigation.
    #[serde(default)]
    pub position: Option<i64>,
}

const MAX_NAME_CHARS: usize = 100;

fn checked_names<'a>(
    state: &AppState,
    input: &'a NamesInput,
) -> Result<Vec<(&'a str, &'a str)>, ServiceError> {
    let mut errors = Vec::new();
    for (language, name) in &input.names {
        if !state.config.site.languages.contains(language) {
            errors.push(FieldError {
                field: format!("names.{language}"),
                message: format!(
                    "not one of the site's languages ({})",
                    state.config.site.languages.join(", ")
                ),
            });
        } else if name.trim().chars().count() > MAX_NAME_CHARS || name.contains(['<', '>']) {
            errors.push(FieldError {
                field: format!("names.{language}"),
                message: format!("must be plain text of at most {MAX_NAME_CHARS} characters"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    Ok(input
        .names
        .iter()
        .map(|(l, n)| (l.as_str(), n.as_str()))
        .collect())
}

/// Creates the section `slug` or renames it; every page shows sections in
/// its navigation, so the whole cache goes.
pub async fn name_section(
    state: &AppState,
    slug: &str,
    input: &NamesInput,
) -> ServiceResult<Section> {
    if !is_valid_slug(slug) {
        return Err(ServiceError::Validation(vec![FieldError {
            field: "slug".into(),
            message: "use lower-case letters, digits and hyphens".into(),
        }]));
    }
    let names = checked_names(state, input)?;
    let section = match state.store.section_by_slug(slug).await {
        Ok(section) => {
            state
                .store
                .rename_section(section.id, &names, input.position)
                .await?
        }
        Err(StoreError::NotFound) => {
            if !names.iter().any(|(_, name)| !name.trim().is_empty()) {
                return Err(ServiceError::Validation(vec![FieldError {
                    field: "names".into(),
                    message: "a new section needs a name in at least one language".into(),
                }]));
            }
            let position = match input.position {
                Some(p) => p,
                None => state.store.sections().await?.len() as i64,
            };
            state.store.insert_section(slug, &names, position).await?
        }
        Err(e) => return Err(e.into()),
    };
    super::site_changed(state).await?;
    Ok(section)
}

/// Names an existing tag in other languages.
pub async fn name_tag(
    state: &AppState,
    slug: &str,
    input: &NamesInput,
) -> ServiceResult<BTreeMap<String, String>> {
    let names = checked_names(state, input)?;
    let tag = state.store.tag_by_slug(slug).await?;
    state.store.rename_tag(tag.id, &names).await?;
    super::site_changed(state).await?;
    Ok(state.store.tag_names(tag.id).await?)
}
