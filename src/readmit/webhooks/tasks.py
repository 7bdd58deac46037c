"""Webhook delivery in the worker: at once after an event, then retries when due."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhooks(delivery_ids: list[int]) -> dict[str, int]:
    from readmit.webhooks.services import deliver

    return deliver(delivery_ids)


@task()
def retry_webhooks() -> dict[str, int]:
    from readmit.webhooks.services import deliver_due

    return deliver_due()
