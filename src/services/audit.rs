//! The audit log of staff actions: who did what, from where, and when.

use super::ServiceResult;
use super::auth::StaffSession;
use crate::app::AppState;
use crate::store::{AuditEntry, NewAuditEntry, StaffId, now};

/// Entries older than this are dropped by the daily clean-up.
pub const DEFAULT_RETENTION_DAYS: i64 = 365;

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
    if let Err(err) = state.store.append_audit(entry, now()).await {
        tracing::error!(error = %err, audit.action = action, "cannot write the audit log");
    }
}

pub async fn entries(
    state: &AppState,
    before_id: Option<i64>,
    limit: i64,
) -> ServiceResult<Vec<AuditEntry>> {
    Ok(state.store.audit_entries(before_id, limit).await?)
}
