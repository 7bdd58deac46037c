from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task


@task()
def email_notifications(notification_ids: list[int]) -> int:
    """Send each notification to its recipient's e-mail address, once."""
    from readmit.notifications.models import Notification

    sent = 0
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
    for note in pending.select_related("recipient"):
        if not note.recipient.email or not note.recipient.is_active:
            continue
        link = f"{settings.READMIT_BASE_URL}{note.url}" if note.url else ""
        send_mail(
            subject=f"[Readmit] {note.title}",
            message=f"{note.title}\n\n{link}\n",
            from_email=None,
            recipient_list=[note.recipient.email],
        )
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
