//! Who may do what. Every admin route and API call asks [`Policy::can`]; the rules
//! live here once, as a table a newsroom can read.
//!
//! | role        | articles                                                          | staff, settings |
//! |-------------|-------------------------------------------------------------------|-----------------|
//! | owner       | everything                                                        | yes             |
//! | editor      | edit, review, publish, schedule, unpublish, correct any article   | no              |
//! | author      | write own, submit own; publish own only if the site allows it     | no              |
//! | contributor | own drafts only; submits them for review                          | no              |

use crate::store::{ArticleStatus, Role, StaffId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Open the admin at all.
    ViewAdmin,
    CreateArticle,
    /// See an article in the admin (and preview it).
    ViewArticle,
    EditArticle,
    SubmitForReview,
    /// Send an article in review back to its authors.
    ReturnToDraft,
    Publish,
    Schedule,
    Unpublish,
    AddCorrection,
    RestoreRevision,
    UploadMedia,
    DeleteMedia,
    ManageStaff,
    ManageSettings,
    /// The funding dashboard and the grants ledger.
    ViewFunding,
    /// Static pages: About, Contacts, Editorial standards.
    ManagePages,
}

/// The signed-in person.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub id: StaffId,
    pub role: Role,
}

/// What the rules need to know about an article.
pub struct ArticleAccess<'a> {
    pub status: ArticleStatus,
    pub author_ids: &'a [StaffId],
}

/// Site-wide switches the owner controls.
#[derive(Clone, Copy, Debug, Default)]
pub struct Policy {
    pub authors_can_publish: bool,
}

impl Policy {
    pub fn can(&self, actor: Actor, action: Action, article: Option<&ArticleAccess<'_>>) -> bool {
        use Action::*;
        use ArticleStatus as S;
        let own = article.is_some_and(|a| a.author_ids.contains(&actor.id));
        let status = article.map(|a| a.status);
        match actor.role {
            Role::Owner => true,
            Role::Editor => !matches!(action, ManageStaff | ManageSettings),
            Role::Author => match action {
                ViewAdmin | CreateArticle | UploadMedia => true,
                ViewArticle | SubmitForReview | ReturnToDraft | RestoreRevision => own,
                EditArticle => {
                    own && (matches!(status, Some(S::Draft | S::InReview))
                        || self.authors_can_publish)
                }
                Publish | Schedule | Unpublish | AddCorrection => own && self.authors_can_publish,
                DeleteMedia | ManageStaff | ManageSettings | ViewFunding | ManagePages => false,
            },
            Role::Contributor => match action {
                ViewAdmin | CreateArticle | UploadMedia => true,
                ViewArticle => own,
                EditArticle | SubmitForReview | RestoreRevision => own && status == Some(S::Draft),
                _ => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: StaffId = StaffId(1);
    const OTHER: StaffId = StaffId(2);

    fn actor(role: Role) -> Actor {
        Actor { id: ME, role }
    }

    fn article(status: ArticleStatus, authors: &[StaffId]) -> ArticleAccess<'_> {
        ArticleAccess {
            status,
            author_ids: authors,
        }
    }

    #[test]
    fn owners_and_editors() {
        let policy = Policy::default();
        let theirs = article(ArticleStatus::InReview, &[OTHER]);
        for action in [
            Action::EditArticle,
            Action::Publish,
            Action::Unpublish,
            Action::AddCorrection,
            Action::Schedule,
        ] {
            assert!(policy.can(actor(Role::Owner), action, Some(&theirs)));
            assert!(policy.can(actor(Role::Editor), action, Some(&theirs)));
        }
        assert!(policy.can(actor(Role::Owner), Action::ManageStaff, None));
        assert!(!policy.can(actor(Role::Editor), Action::ManageStaff, None));
        assert!(!policy.can(actor(Role::Editor), Action::ManageSettings, None));
    }

    #[test]
    fn authors_write_their_own_and_publish_only_if_allowed() {
        let strict = Policy {
            authors_can_publish: false,
        };
        let open = Policy {
            authors_can_publish: true,
        };
        let mine = article(ArticleStatus::Draft, &[OTHER, ME]);
        let theirs = article(ArticleStatus::Draft, &[OTHER]);
        let author = actor(Role::Author);
        assert!(strict.can(author, Action::EditArticle, Some(&mine)));
        assert!(strict.can(author, Action::SubmitForReview, Some(&mine)));
        assert!(!strict.can(author, Action::EditArticle, Some(&theirs)));
        assert!(!strict.can(author, Action::ViewArticle, Some(&theirs)));
        assert!(!strict.can(author, Action::Publish, Some(&mine)));
        assert!(open.can(author, Action::Publish, Some(&mine)));
        assert!(!open.can(author, Action::Publish, Some(&theirs)));
        let published = article(ArticleStatus::Published, &[ME]);
        assert!(!strict.can(author, Action::EditArticle, Some(&published)));
        assert!(open.can(author, Action::EditArticle, Some(&published)));
    }

    #[test]
    fn contributors_keep_to_their_drafts() {
        let policy = Policy {
            authors_can_publish: true,
        };
        let contributor = actor(Role::Contributor);
        let draft = article(ArticleStatus::Draft, &[ME]);
        let in_review = article(ArticleStatus::InReview, &[ME]);
        assert!(policy.can(contributor, Action::EditArticle, Some(&draft)));
        assert!(policy.can(contributor, Action::SubmitForReview, Some(&draft)));
        assert!(!policy.can(contributor, Action::EditArticle, Some(&in_review)));
        for action in [
            Action::Publish,
            Action::Schedule,
            Action::Unpublish,
            Action::AddCorrection,
            Action::DeleteMedia,
        ] {
            assert!(!policy.can(contributor, action, Some(&draft)), "{action:?}");
        }
        let theirs = article(ArticleStatus::Draft, &[OTHER]);
        assert!(!policy.can(contributor, Action::ViewArticle, Some(&theirs)));
    }
}
