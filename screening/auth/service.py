"""Staff accounts and sign-in decisions: who may sign in, lockouts, 2FA, account changes.

Views and CLI commands parse input and call these; these decide, write, audit and commit in
the caller's session, or roll back when they refuse. Audit events hold ids and reason codes
only: never passwords, codes, names or (for unknown accounts) the email that was tried.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from screening.auth import passwords, totp
from screening.clock import as_utc, utcnow
from screening.database import new_session, transaction
from screening.models import Clinician, Role
from screening.security import audit

LOCKOUT_THRESHOLD = 5
LOCKOUT_MINUTES = 15
MAX_NAME_LENGTH = 120
MAX_EMAIL_LENGTH = 254


class AccountError(ValueError):
    """An account change that cannot be made; the message is safe to show to staff."""


class SecondFactor(enum.StrEnum):
    """The outcome of a second-factor attempt."""

    OK = "ok"
    INVALID = "invalid"
    REPLAY = "replay"
    LOCKED = "locked"


def normalise_email(email: str) -> str:
    """Trim and lower-case an email address; accounts are stored and found this way."""
    return (email or "").strip().lower()


def find_by_email(db: Session, email: str) -> Clinician | None:
    """Return the account with this email address, if any."""
    address = normalise_email(email)
    if not address or len(address) > MAX_EMAIL_LENGTH:
        return None
    return db.scalars(select(Clinician).where(Clinician.email == address)).first()


def is_locked(clinician: Clinician, moment: datetime | None = None) -> bool:
    """Whether too many failed attempts have paused sign-in for this account."""
    locked_until = as_utc(clinician.locked_until)
    return locked_until is not None and locked_until > (moment or utcnow())


# Account lifecycle -------------------------------------------------------------------------


def check_new_account(db: Session, email: str, name: str, role: str) -> tuple[str, str]:
    """Validate the details of a new account; return the normalised email and name."""
    address = normalise_email(email)
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError(_("enter a valid email address")) from error
    if len(address) > MAX_EMAIL_LENGTH:
        raise AccountError(
            _("the email address is longer than %(max)d characters", max=MAX_EMAIL_LENGTH)
        )
    clean_name = " ".join((name or "").split())
    if not clean_name:
        raise AccountError(_("enter the person's name"))
    if len(clean_name) > MAX_NAME_LENGTH:
        raise AccountError(_("the name is longer than %(max)d characters", max=MAX_NAME_LENGTH))
    if role not in {r.value for r in Role}:
        raise AccountError(_("the role must be clinician or admin"))
    if find_by_email(db, address) is not None:
        raise AccountError(_("an account with that email address already exists"))
    return address, clean_name


@transaction
def create_clinician(
    db: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str = Role.CLINICIAN,
    must_change_password: bool = False,
    actor: Clinician | None = None,
    ip: str | None = None,
) -> Clinician:
    """Create an account (no 2FA yet: it is set up at first sign-in) and audit it."""
    address, clean_name = check_new_account(db, email, name, str(role))
    problems = passwords.password_problems(password, address)
    if problems:
        raise AccountError(" ".join(problems))
    clinician = Clinician(
        email=address,
        name=clean_name,
        role=str(role),
        password_hash=passwords.hash_password(password),
        must_change_password=must_change_password,
    )
    db.add(clinician)
    db.flush()
    audit.record(
        db, "account.created", actor=actor, target=clinician, ip=ip, detail={"role": str(role)}
    )
    return clinician


def invite_clinician(
    db: Session, *, email: str, name: str, role: str, actor: Clinician, ip: str | None
) -> tuple[Clinician, str]:
    """Create an account with a one-time temporary password it must change at first sign-in."""
    temporary = passwords.generate_temporary_password()
    clinician = create_clinician(
        db,
        email=email,
        name=name,
        password=temporary,
        role=role,
        must_change_password=True,
        actor=actor,
        ip=ip,
    )
    return clinician, temporary


@transaction
def deactivate(
    db: Session, clinician: Clinician, *, actor: Clinician | None, ip: str | None
) -> None:
    """Stop an account from signing in and end its sessions at their next request."""
    if actor is not None and actor.id == clinician.id:
        raise AccountError(_("you cannot deactivate your own account"))
    if not clinician.active:
        raise AccountError(_("that account is already deactivated"))
    clinician.active = False
    clinician.session_version += 1
    audit.record(db, "account.deactivated", actor=actor, target=clinician, ip=ip)


@transaction
def reactivate(
    db: Session, clinician: Clinician, *, actor: Clinician | None, ip: str | None
) -> None:
    """Let a deactivated account sign in again, with a clean slate of failed attempts."""
    if clinician.active:
        raise AccountError(_("that account is already active"))
    clinician.active = True
    clinician.failed_logins = 0
    clinician.locked_until = None
    audit.record(db, "account.reactivated", actor=actor, target=clinician, ip=ip)


@transaction
def reset_two_factor(
    db: Session, clinician: Clinician, *, actor: Clinician | None, ip: str | None
) -> None:
    """Forget the account's authenticator and recovery codes; it enrols again at next sign-in."""
    if actor is not None and actor.id == clinician.id:
        raise AccountError(_("ask another admin to reset your own two-step verification"))
    clinician.totp_secret = None
    clinician.totp_confirmed = False
    clinician.totp_last_timecode = None
    clinician.recovery_codes = None
    clinician.session_version += 1
    audit.record(db, "account.2fa-reset", actor=actor, target=clinician, ip=ip)


@transaction
def reset_password(db: Session, clinician: Clinician, *, actor: Clinician, ip: str | None) -> str:
    """Give an account a new temporary password (to change at next sign-in); return it once."""
    if actor.id == clinician.id:
        raise AccountError(_("change your own password on the password page"))
    temporary = passwords.generate_temporary_password()
    clinician.password_hash = passwords.hash_password(temporary)
    clinician.must_change_password = True
    clinician.failed_logins = 0
    clinician.locked_until = None
    clinician.session_version += 1
    audit.record(db, "account.password-reset", actor=actor, target=clinician, ip=ip)
    return temporary


def list_clinicians(db: Session) -> list[Clinician]:
    """Return every account, active first, then by name."""
    return list(
        db.scalars(select(Clinician).order_by(Clinician.active.desc(), func.lower(Clinician.name)))
    )


# Sign-in -----------------------------------------------------------------------------------


def register_failure(
    db: Session,
    clinician: Clinician,
    *,
    action: str,
    reason: str,
    ip: str | None,
    outcome: str = "failure",
) -> None:
    """Count a failed password or code; every LOCKOUT_THRESHOLD-th in a row pauses sign-in.

    The count is raised in the database (UPDATE … RETURNING), never read and written back:
    attempts at the same moment each add one, and the row stays locked until commit.
    """
    failures = db.execute(
        update(Clinician)
        .where(Clinician.id == clinician.id)
        .values(failed_logins=Clinician.failed_logins + 1)
        .returning(Clinician.failed_logins)
        .execution_options(synchronize_session="fetch")
    ).scalar_one()
    audit.record(db, action, actor=clinician, outcome=outcome, ip=ip, detail={"reason": reason})
    if failures % LOCKOUT_THRESHOLD == 0:
        clinician.locked_until = utcnow() + timedelta(minutes=LOCKOUT_MINUTES)
        audit.record(
            db,
            "auth.lockout",
            actor=clinician,
            outcome="success",
            ip=ip,
            detail={"minutes": LOCKOUT_MINUTES},
        )


@dataclass(frozen=True)
class StoredPassword:
    """An account's id and password hash as read before checking a password."""

    clinician_id: int
    password_hash: str


def read_stored_password(email: str) -> StoredPassword | None:
    """Read the account's password hash in a short read-only transaction of its own."""
    address = normalise_email(email)
    if not address or len(address) > MAX_EMAIL_LENGTH:
        return None
    with new_session() as db:
        row = db.execute(
            select(Clinician.id, Clinician.password_hash).where(Clinician.email == address)
        ).first()
    return StoredPassword(row.id, row.password_hash) if row else None


@transaction
def authenticate(db: Session, email: str, password: str, *, ip: str | None) -> Clinician | None:
    """Check an email and password; return the account only when it may go on to 2FA.

    The hash is checked before `db` (the request's write session) is first used, with no
    transaction open: on SQLite a write transaction holds the database's one write lock, and
    every screening save would wait for each sign-in's hash. Every path verifies a hash, so
    the time taken does not reveal whether the account exists, is locked or is inactive.
    """
    stored = read_stored_password(email)
    password_ok = passwords.verify_password(stored.password_hash if stored else None, password)
    fresh_hash = None
    if password_ok and stored and passwords.needs_rehash(stored.password_hash):
        fresh_hash = passwords.hash_password(password)
    # The short write transaction: what the account is now decides, the check above is used.
    clinician = db.get(Clinician, stored.clinician_id) if stored else None
    if clinician is None:
        audit.record(db, "auth.login", outcome="failure", ip=ip, detail={"reason": "unknown-email"})
        return None
    if not clinician.active:
        record_refused_login(db, clinician, "inactive", ip)
        return None
    # A password changed since the read: the one checked is no longer the account's.
    password_ok = password_ok and clinician.password_hash == stored.password_hash
    if is_locked(clinician):
        if not password_ok:
            # Counted even now: guesses during a pause extend it.
            register_failure(db, clinician, action="auth.login", reason="locked", ip=ip)
        else:
            record_refused_login(db, clinician, "locked", ip)
        return None
    if not password_ok:
        register_failure(db, clinician, action="auth.login", reason="bad-password", ip=ip)
        return None
    if fresh_hash:
        clinician.password_hash = fresh_hash
    if not clinician.totp_confirmed and not clinician.totp_secret:
        # Created now, inside the password-checked transaction, so the enrolment page only reads.
        clinician.totp_secret = totp.new_secret()
    audit.record(
        db,
        "auth.login",
        actor=clinician,
        ip=ip,
        detail={"next": "2fa" if clinician.totp_confirmed else "enrol"},
    )
    return clinician


def record_refused_login(db: Session, clinician: Clinician, reason: str, ip: str | None) -> None:
    """Audit a sign-in refused for the account's state (not for a wrong password)."""
    audit.record(
        db, "auth.login", actor=clinician, outcome="failure", ip=ip, detail={"reason": reason}
    )


def complete_sign_in(db: Session, clinician: Clinician, *, method: str, ip: str | None) -> None:
    """Record a finished sign-in and clear the failure count."""
    clinician.failed_logins = 0
    clinician.locked_until = None
    clinician.last_login_at = utcnow()
    audit.record(db, "auth.2fa", actor=clinician, ip=ip, detail={"method": method})


def refused_while_locked(db: Session, clinician: Clinician, *, ip: str | None) -> bool:
    """Refuse (and audit) a second-factor attempt on a locked account."""
    if not is_locked(clinician):
        return False
    audit.record(
        db, "auth.2fa", actor=clinician, outcome="failure", ip=ip, detail={"reason": "locked"}
    )
    return True


@transaction
def verify_second_factor(
    db: Session, clinician: Clinician, code: str, *, ip: str | None
) -> SecondFactor:
    """Check a TOTP code for an enrolled account, refusing replays; finish sign-in if good."""
    if refused_while_locked(db, clinician, ip=ip):
        return SecondFactor.LOCKED
    if not clinician.totp_secret or not clinician.totp_confirmed:
        return SecondFactor.INVALID
    result = totp.check_code(clinician.totp_secret, code, clinician.totp_last_timecode)
    if result.outcome is totp.CodeCheck.OK:
        clinician.totp_last_timecode = result.timecode
        complete_sign_in(db, clinician, method="totp", ip=ip)
        return SecondFactor.OK
    if result.outcome is totp.CodeCheck.REPLAY:
        register_failure(db, clinician, action="auth.2fa", reason="replay", outcome="replay", ip=ip)
        return SecondFactor.LOCKED if is_locked(clinician) else SecondFactor.REPLAY
    register_failure(db, clinician, action="auth.2fa", reason="bad-code", ip=ip)
    return SecondFactor.LOCKED if is_locked(clinician) else SecondFactor.INVALID


@transaction
def use_recovery_code(
    db: Session, clinician: Clinician, code: str, *, ip: str | None
) -> SecondFactor:
    """Accept one unused recovery code instead of a TOTP code; it cannot be used again."""
    if refused_while_locked(db, clinician, ip=ip):
        return SecondFactor.LOCKED
    remaining = totp.consume_recovery_code(clinician.recovery_codes, code)
    if remaining is None or not clinician.totp_confirmed:
        register_failure(db, clinician, action="auth.2fa", reason="bad-recovery-code", ip=ip)
        return SecondFactor.LOCKED if is_locked(clinician) else SecondFactor.INVALID
    clinician.recovery_codes = remaining
    audit.record(
        db, "auth.recovery-code-used", actor=clinician, ip=ip, detail={"remaining": len(remaining)}
    )
    complete_sign_in(db, clinician, method="recovery-code", ip=ip)
    return SecondFactor.OK


@transaction
def confirm_enrolment(
    db: Session, clinician: Clinician, code: str, *, ip: str | None
) -> list[str] | SecondFactor:
    """Confirm the new authenticator with one code; return fresh recovery codes when it works."""
    if refused_while_locked(db, clinician, ip=ip):
        return SecondFactor.LOCKED
    if not clinician.totp_secret or clinician.totp_confirmed:
        return SecondFactor.INVALID
    result = totp.check_code(clinician.totp_secret, code, clinician.totp_last_timecode)
    if result.outcome is not totp.CodeCheck.OK:
        register_failure(db, clinician, action="auth.2fa", reason="bad-enrolment-code", ip=ip)
        return SecondFactor.LOCKED if is_locked(clinician) else SecondFactor.INVALID
    codes = totp.generate_recovery_codes()
    clinician.totp_confirmed = True
    clinician.totp_last_timecode = result.timecode
    clinician.recovery_codes = [totp.hash_recovery_code(c) for c in codes]
    audit.record(db, "auth.2fa-enrolled", actor=clinician, ip=ip)
    complete_sign_in(db, clinician, method="enrolment", ip=ip)
    return codes


@transaction
def sign_out(db: Session, clinician: Clinician, *, ip: str | None) -> None:
    """End every session of the account (a copied cookie stops working) and audit it."""
    clinician.session_version += 1
    audit.record(db, "auth.logout", actor=clinician, ip=ip)


@transaction
def change_password(
    db: Session, clinician: Clinician, current: str, new: str, *, ip: str | None
) -> list[str]:
    """Change a password after checking the current one; return problems (empty on success)."""
    # Nothing is written before the hashes: end the request's transaction (begun by loading
    # the signed-in account) so on SQLite no write lock is held while they run. The hash is
    # read first: the signed-in account is loaded without it, and a lazy load would begin
    # the transaction again.
    stored_hash = clinician.password_hash
    db.commit()
    if not passwords.verify_password(stored_hash, current):
        register_failure(db, clinician, action="auth.password-change", reason="bad-password", ip=ip)
        return ["current"]
    problems = passwords.password_problems(new, clinician.email)
    if problems:
        return problems
    if passwords.verify_password(stored_hash, new):
        return ["same"]
    clinician.password_hash = passwords.hash_password(new)
    clinician.must_change_password = False
    # Other sessions of this account (perhaps someone who knew the old password) end now.
    clinician.session_version += 1
    audit.record(db, "auth.password-changed", actor=clinician, ip=ip)
    return []


def record_session_expired(db: Session, user_id: object, reason: str, ip: str | None) -> None:
    """Audit a session ended by the idle or absolute limit, committing at once."""
    try:
        clinician_id = int(str(user_id))
    except ValueError:
        clinician_id = None
    clinician = db.get(Clinician, clinician_id) if clinician_id else None
    audit.record_now(db, "auth.session-expired", actor=clinician, ip=ip, detail={"reason": reason})
