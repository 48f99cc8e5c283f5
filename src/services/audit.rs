//! The audit log of staff actions: who did what, from where, and when.

use super::ServiceResult;
use super::auth::StaffSession;
use crate::app::AppState;
use crate::store::{AuditEntry, NewAuditEntry, StaffId};

/// Who acted: a staff member, a key, the command line, or an anonymous client.
pub struct Who {
    pub staff: Option<StaffId>,
    pub label: String,
    pub ip: String,
}

impl Who {
    pub fn staff(session: &StaffSession) -> Who {
        Who {
            staff: Some(session.staff_id),
            label: session.email.clone(),
            ip: session.client_ip.clone(),
        }
    }

    pub fn anonymous(label: &str, ip: &str) -> Who {
        Who {
            staff: None,
            label: label.to_owned(),
            ip: ip.to_owned(),
        }
    }

    pub fn command_line() -> Who {
        Who::anonymous("command line", "")
    }
}

/// Appends one line. An action that happened is never undone because its
/// line could not be written; the failure is logged instead.
pub async fn record(state: &AppState, who: &Who, action: &str, subject: &str, detail: &str) {
    let entry = NewAuditEntry {
        staff_id: who.staff,
        actor: &who.label,
        ip: &who.ip,
        action,
        subject,
        detail,
    };
    tracing::info!(audit.action = action, audit.actor = %who.label, client.ip = %who.ip, audit.subject = subject, "audit");
    if let Err(err) = state.store.append_audit(entry, state.clock.now()).await {
        tracing::error!(error = %err, audit.action = action, "cannot write the audit log");
    }
}

/// Drops audit entries older than the retention, and the short-lived
/// security records (attempt counts, inbox signatures) past their windows.
pub async fn prune(state: &AppState) -> ServiceResult<()> {
    let current = state.clock.now();
    let audit = state
        .store
        .prune_audit(current - state.config.audit_retention_days * 86_400)
        .await?;
    let attempts = state.store.prune_attempts(current - 2 * 86_400).await?;
    let signatures = state
        .store
        .prune_seen_signatures(
            current - 2 * crate::integrations::activitypub::MAX_CLOCK_SKEW - 3600,
        )
        .await?;
    tracing::debug!(audit, attempts, signatures, "old records pruned");
    Ok(())
}

pub async fn entries(
    state: &AppState,
    before_id: Option<i64>,
    limit: i64,
) -> ServiceResult<Vec<AuditEntry>> {
    Ok(state.store.audit_entries(before_id, limit).await?)
}
