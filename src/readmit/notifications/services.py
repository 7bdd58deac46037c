"""Notify the users of an authority who can act on an event: in the app at once, by e-mail after commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from readmit.accounts.capabilities import Capability, has
from readmit.accounts.models import Authority, User
from readmit.core.i18n import Text, in_language, user_language
from readmit.notifications.models import Notification

if TYPE_CHECKING:
    from django.db.models import Model


def notify(
    *,
    authorities: Iterable[Authority],
    capability: Capability | None,
    action: str,
    title: Text,
    url: str = "",
    obj: Model | None = None,
    exclude: User | None = None,
) -> list[Notification]:
    """Create notifications in the caller's transaction; e-mails go out only once it commits.

    Pass `title` as a callable (``lambda: _("…") % {…}``) and each recipient reads it in their
    own language, not in the language of the user who acted."""
    return notify_each(
        authorities=authorities,
        capability=capability,
        action=action,
        items=[(title, url, obj)],
        exclude=exclude,
    )


def notify_each(
    *,
    authorities: Iterable[Authority],
    capability: Capability | None,
    action: str,
    items: Sequence[tuple[Text, str, Model | None]],
    exclude: User | None = None,
) -> list[Notification]:
    """`notify` for many objects at once, to the same authorities: one (title, url, object) per
    item. The recipients are looked up once and every notification is inserted in one batch, so
    the deadline sweep's thousands of reminders cost a few queries, not thousands."""
    ids = [a.pk for a in authorities]
    if not items or not ids:
        return []
    users = [
        user
        for user in User.objects.filter(
            authority_id__in=ids, is_active=True, is_system=False
        ).select_related("authority")
        if (capability is None or has(user, capability))
        and (exclude is None or user.pk != exclude.pk)
    ]
    if not users:
        return []
    languages = {user.pk: user_language(user) for user in users}
    notes = []
    for title, url, obj in items:
        titles: dict[str, str] = {}
        for user in users:
            language = languages[user.pk]
            if language not in titles:
                titles[language] = in_language(title, language)[:200]
            notes.append(
                Notification(
                    recipient=user,
                    action=action,
                    title=titles[language],
                    url=url,
                    object_type=obj._meta.label_lower if obj is not None else "",
                    object_id=str(obj.pk) if obj is not None else "",
                )
            )
    created = Notification.objects.bulk_create(notes, batch_size=1000)
    note_ids = [n.pk for n in created if n.pk is not None]
    if note_ids:
        from readmit.notifications.tasks import email_notifications

        transaction.on_commit(lambda: email_notifications.enqueue(note_ids))
    return created


def notification_mark_read(*, actor: User, notification_id: int) -> Notification | None:
    note = Notification.objects.visible_to(actor).filter(pk=notification_id).first()
    if note is not None and note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return note


def notification_mark_all_read(*, actor: User) -> int:
    return (
        Notification.objects.visible_to(actor)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


def unread_count(user: User) -> int:
    return Notification.objects.visible_to(user).filter(read_at__isnull=True).count()
