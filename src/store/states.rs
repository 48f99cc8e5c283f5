//! The states and kinds the database keeps as text. Each is an enum whose
//! spelling is the migration's `CHECK (… IN (…))` list (a test compares
//! them), read and written by sqlx directly, so a corrupt row is an error
//! rather than a silent default and a new state is a compile-guided change.
//! The rules about states (which may be retried, which cancelled) live here
//! once and serve both the SQL and the admin.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Any, Database, Decode, Encode, Type};

/// Declares a text enum: `Name { Variant = "text", … }`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// `'a', 'b'` for an SQL `IN (…)`: the values are our own
            /// constants, never input.
            pub fn sql_list(values: &[Self]) -> String {
                values
                    .iter()
                    .map(|value| format!("'{}'", value.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::parse(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {} {text:?}", stringify!($name)))
                })
            }
        }

        impl Type<Any> for $name {
            fn type_info() -> <Any as Database>::TypeInfo {
                <String as Type<Any>>::type_info()
            }

            fn compatible(ty: &<Any as Database>::TypeInfo) -> bool {
                <String as Type<Any>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <Any as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                let text: &'q str = self.as_str();
                <&'q str as Encode<'q, Any>>::encode_by_ref(&text, buf)
            }
        }

        impl<'r> Decode<'r, Any> for $name {
            fn decode(value: <Any as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <String as Decode<'r, Any>>::decode(value)?;
                $name::parse(&text)
                    .ok_or_else(|| format!("unknown {} {text:?} in the database", stringify!($name)).into())
            }
        }
    };
}

text_enum! {
    /// What a staff member may do; see `services::policy`.
    Role {
        Owner = "owner",
        Editor = "editor",
        Author = "author",
        Contributor = "contributor",
    }
}

text_enum! {
    /// Where a story is in its life.
    ArticleStatus {
        Draft = "draft",
        InReview = "in_review",
        Scheduled = "scheduled",
        Published = "published",
        Unpublished = "unpublished",
    }
}

/// A new story starts as a draft.
impl Default for ArticleStatus {
    fn default() -> Self {
        ArticleStatus::Draft
    }
}

text_enum! {
    /// What happened to a story that the channels must hear of.
    OutboxAction {
        Publish = "publish",
        Update = "update",
        Unpublish = "unpublish",
    }
}

text_enum! {
    /// Where one delivery to one channel target stands.
    DeliveryState {
        Pending = "pending",
        /// Claimed by a node; its lease says until when.
        Sending = "sending",
        Sent = "sent",
        /// Failed for good (attempts used up, or a refusal retrying cannot fix).
        Dead = "dead",
        Cancelled = "cancelled",
        /// A node died mid-send to a channel where sending twice is worse
        /// than not at all: staff decide.
        Unknown = "unknown",
    }
}

impl DeliveryState {
    /// Staff may send these again.
    pub const RETRYABLE: &'static [DeliveryState] = &[
        DeliveryState::Dead,
        DeliveryState::Unknown,
        DeliveryState::Cancelled,
    ];
    /// Staff may call these off.
    pub const CANCELLABLE: &'static [DeliveryState] = &[
        DeliveryState::Pending,
        DeliveryState::Unknown,
        DeliveryState::Dead,
    ];
    /// Needing a person: shown on the distribution page.
    pub const NEEDS_ATTENTION: &'static [DeliveryState] =
        &[DeliveryState::Dead, DeliveryState::Unknown];

    pub fn can_retry(self) -> bool {
        Self::RETRYABLE.contains(&self)
    }

    pub fn can_cancel(self) -> bool {
        Self::CANCELLABLE.contains(&self)
    }
}

text_enum! {
    /// Where the outbox sends. Adding one (Bluesky, say) is a variant here
    /// and whatever `match` the compiler then points at.
    Channel {
        Telegram = "telegram",
        X = "x",
        Fediverse = "fediverse",
        /// The owner's own systems (outgoing webhooks).
        Webhook = "webhook",
    }
}

impl Channel {
    /// Where sending twice is harmless (receivers drop repeated activity
    /// ids), so a send interrupted by a crash is simply retried; elsewhere
    /// it waits for a person.
    pub const RESENDABLE: &'static [Channel] = &[Channel::Fediverse];
}

text_enum! {
    /// A newsletter reader's standing.
    SubscriberState {
        /// Signed up, not yet confirmed.
        Pending = "pending",
        Active = "active",
        Unsubscribed = "unsubscribed",
        Bounced = "bounced",
    }
}

text_enum! {
    /// One newsletter issue's message to one reader.
    RecipientState {
        Pending = "pending",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
        Skipped = "skipped",
        /// The sender died mid-message; it may or may not have gone out.
        Unknown = "unknown",
    }
}

impl RecipientState {
    /// Still to be sent.
    pub const WAITING: &'static [RecipientState] =
        &[RecipientState::Pending, RecipientState::Sending];
    /// Counted as failed in an issue's summary.
    pub const FAILED: &'static [RecipientState] =
        &[RecipientState::Failed, RecipientState::Unknown];
}

text_enum! {
    /// A pledge's standing in the ledger.
    DonationStatus {
        Pending = "pending",
        Completed = "completed",
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// A monthly gift's standing.
    SubscriptionStatus {
        Active = "active",
        PastDue = "past_due",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// How often a donor gives.
    Frequency {
        OneTime = "one_time",
        Monthly = "monthly",
    }
}

text_enum! {
    /// What an emailed link is for.
    TokenPurpose {
        Reset = "reset",
        Invite = "invite",
    }
}

text_enum! {
    /// Where the videos page takes its clips from.
    VideoProvider {
        Youtube = "youtube",
        Tiktok = "tiktok",
    }
}

text_enum! {
    /// An entry of a story's public log.
    CorrectionKind {
        Correction = "correction",
        Update = "update",
    }
}

text_enum! {
    /// A static page is either on the site or not.
    PageStatus {
        Draft = "draft",
        Published = "published",
    }
}

text_enum! {
    /// What an imported row is, in `import_sources`.
    ImportedKind {
        Article = "article",
        Page = "page",
        Staff = "staff",
        Section = "section",
        Tag = "tag",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `CHECK (column IN (…))` list of `table.column` in the newest
    /// migration of `dir` that declares it.
    fn check_list(dir: &str, table: &str, column: &str) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        files.sort();
        let mut found = None;
        for file in files {
            let sql = std::fs::read_to_string(&file).unwrap_or_default();
            let create = format!("CREATE TABLE {table} (");
            let Some(start) = sql.find(&create) else {
                continue;
            };
            let body = &sql[start..];
            let body = &body[..body.find("\n);").unwrap_or(body.len())];
            let needle = format!("CHECK ({column} IN (");
            if let Some(at) = body.find(&needle) {
                let rest = &body[at + needle.len()..];
                let list = &rest[..rest.find(')').unwrap_or(0)];
                found = Some(
                    list.split(',')
                        .map(|item| item.trim().trim_matches('\'').to_owned())
                        .collect(),
                );
            }
        }
        found.unwrap_or_else(|| panic!("no CHECK list for {table}.{column} in {dir}"))
    }

    fn spellings<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<String> {
        all.iter().map(|v| as_str(*v).to_owned()).collect()
    }

    #[test]
    fn every_enum_is_its_migrations_check_list() {
        let cases: Vec<(&str, &str, Vec<String>)> = vec![
            ("staff", "role", spellings(Role::ALL, Role::as_str)),
            (
                "articles",
                "status",
                spellings(ArticleStatus::ALL, ArticleStatus::as_str),
            ),
            (
                "outbox_events",
                "action",
                spellings(OutboxAction::ALL, OutboxAction::as_str),
            ),
            (
                "deliveries",
                "state",
                spellings(DeliveryState::ALL, DeliveryState::as_str),
            ),
            (
                "newsletter_subscribers",
                "state",
                spellings(SubscriberState::ALL, SubscriberState::as_str),
            ),
            (
                "newsletter_recipients",
                "state",
                spellings(RecipientState::ALL, RecipientState::as_str),
            ),
            (
                "donations",
                "status",
                spellings(DonationStatus::ALL, DonationStatus::as_str),
            ),
            (
                "donations",
                "frequency",
                spellings(Frequency::ALL, Frequency::as_str),
            ),
            (
                "subscriptions",
                "status",
                spellings(SubscriptionStatus::ALL, SubscriptionStatus::as_str),
            ),
            (
                "password_tokens",
                "purpose",
                spellings(TokenPurpose::ALL, TokenPurpose::as_str),
            ),
            (
                "videos",
                "provider",
                spellings(VideoProvider::ALL, VideoProvider::as_str),
            ),
            (
                "article_corrections",
                "kind",
                spellings(CorrectionKind::ALL, CorrectionKind::as_str),
            ),
            (
                "pages",
                "status",
                spellings(PageStatus::ALL, PageStatus::as_str),
            ),
            (
                "import_sources",
                "kind",
                spellings(ImportedKind::ALL, ImportedKind::as_str),
            ),
        ];
        for backend in ["sqlite", "postgres"] {
            let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
            for (table, column, ours) in &cases {
                assert_eq!(
                    &check_list(&dir, table, column),
                    ours,
                    "{backend}: {table}.{column} differs from its enum"
                );
            }
        }
    }

    #[test]
    fn a_spelling_reads_back_and_nonsense_does_not() {
        for state in DeliveryState::ALL {
            assert_eq!(DeliveryState::parse(state.as_str()), Some(*state));
        }
        assert_eq!(ArticleStatus::parse("Published"), None);
        assert_eq!(
            DeliveryState::sql_list(DeliveryState::RETRYABLE),
            "'dead', 'unknown', 'cancelled'"
        );
        assert!(serde_json::from_str::<Role>("\"root\"").is_err());
        assert_eq!(
            serde_json::to_string(&Frequency::OneTime).unwrap(),
            "\"one_time\""
        );
    }
}
