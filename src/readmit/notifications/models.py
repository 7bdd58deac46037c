"""In-app notifications. Titles name references and events, never a person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from readmit.accounts.models import User


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: User | AnonymousUser) -> NotificationQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient_id=user.pk)


class Notification(models.Model):
    recipient = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    action = models.CharField(_("event"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("link"), max_length=300, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # The list pages newest first by id (keyset); without this, a busy officer's list
            # would sort every notification they ever had to show fifty.
            models.Index(fields=["recipient", "-id"], name="notification_newest"),
        ]

    def __str__(self) -> str:
        return self.title
