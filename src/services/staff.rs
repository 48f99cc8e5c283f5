//! Staff accounts: creation with a one-time password.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};

use super::{FieldError, ServiceError, ServiceResult};
use crate::app::AppState;
use crate::content::slug::slugify;
use crate::store::{NewStaff, Role, Staff, StoreError};

pub struct NewStaffInput {
    pub email: String,
    pub name: String,
    pub role: String,
    pub bio: String,
}

/// Creates a staff member and returns them with a one-time password that
/// must be changed at first sign-in.
pub async fn add_staff(state: &AppState, input: NewStaffInput) -> ServiceResult<(Staff, String)> {
    let password = generate_password();
    let staff = add_staff_with_password(state, input, &password, true).await?;
    Ok((staff, password))
}

pub async fn add_staff_with_password(
    state: &AppState,
    input: NewStaffInput,
    password: &str,
    must_change: bool,
) -> ServiceResult<Staff> {
    let mut errors = Vec::new();
    let email = input.email.trim().to_lowercase();
    if !looks_like_email(&email) {
        errors.push(FieldError {
            field: "email".into(),
            message: "must be an email address".into(),
        });
    }
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(FieldError {
            field: "name".into(),
            message: "must be 1–120 characters".into(),
        });
    }
    let role = Role::parse(&input.role);
    if role.is_none() {
        errors.push(FieldError {
            field: "role".into(),
            message: "must be one of: owner, editor, author, contributor".into(),
        });
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return Err(ServiceError::Validation(errors));
    };
    let password_hash = hash_password(password)?;
    let base_slug = slugify(&name);
    let base_slug = if base_slug.is_empty() {
        "staff".to_owned()
    } else {
        base_slug
    };
    for n in 1..100 {
        let slug = if n == 1 {
            base_slug.clone()
        } else {
            format!("{base_slug}-{n}")
        };
        let new = NewStaff {
            email: email.clone(),
            name: name.clone(),
            slug,
            bio: input.bio.clone(),
            role,
            password_hash: Some(password_hash.clone()),
            password_must_change: must_change,
        };
        match state.store.insert_staff(&new, state.clock.now()).await {
            Ok(staff) => return Ok(staff),
            Err(StoreError::Conflict { constraint }) if constraint.contains("email") => {
                return Err(ServiceError::Validation(vec![FieldError {
                    field: "email".into(),
                    message: "a staff member with this email already exists".into(),
                }]));
            }
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ServiceError::Conflict(
        "could not find a free profile address".into(),
    ))
}

fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.contains(char::is_whitespace)
}

pub fn hash_password(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Conflict(format!("cannot hash password: {e}")))
}

/// 20 characters from an alphabet without look-alikes: about 115 bits.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..20)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Disables or enables a staff member. Disabling ends their sessions and
/// revokes their keys at once; their stories stay published under their name.
pub async fn set_disabled(
    state: &AppState,
    by: &crate::services::auth::StaffSession,
    target: crate::store::StaffId,
    disabled: bool,
) -> ServiceResult<()> {
    use crate::services::audit;
    let member = state.store.staff_by_id(target).await?;
    let refuse = |message: &str| {
        Err(ServiceError::Validation(vec![FieldError {
            field: "staff".into(),
            message: message.into(),
        }]))
    };
    if disabled {
        if target == by.staff_id {
            return refuse("you cannot disable yourself");
        }
        if member.role == crate::store::Role::Owner
            && member.disabled_at.is_none()
            && state.store.active_owner_count().await? <= 1
        {
            return refuse("the last owner cannot be disabled");
        }
        let at = state.clock.now();
        state.store.set_staff_disabled(target, Some(at)).await?;
        let sessions = state.store.delete_sessions_of(target).await?;
        let keys = state.store.revoke_api_keys_of(target, at).await?;
        tracing::info!(staff.id = %target, sessions, keys, "staff member disabled");
        audit::record(
            state,
            &audit::Who::staff(by),
            "staff disabled",
            &member.email,
            &format!("{sessions} sessions ended, {keys} keys revoked"),
        )
        .await;
    } else {
        state.store.set_staff_disabled(target, None).await?;
        audit::record(
            state,
            &audit::Who::staff(by),
            "staff enabled",
            &member.email,
            "",
        )
        .await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_passwords() {
        assert!(looks_like_email("editor@example.com"));
        assert!(!looks_like_email("editor@example"));
        assert!(!looks_like_email("ed itor@example.com"));
        let a = generate_password();
        assert_eq!(a.len(), 20);
        assert_ne!(a, generate_password());
    }
}
