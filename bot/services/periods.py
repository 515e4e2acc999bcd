"""Which period a moment belongs to for a campaign, and the campaign's windows.

Kept apart from the dialog so the cycle, the reporting flow and the digests agree on one rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.models import Campaign
from bot.core.periods import Period
from bot.core.schedule import DueTimes, due_times

FIRST_PERIOD_MIN_WINDOW = timedelta(days=1)


def first_period(campaign: Campaign) -> Period:
    """The first period the campaign runs: the one it was created in, unless its deadline
    is less than a day away, then the next. Created on a Tuesday, the week's prompt goes out
    at once and reports are taken; created on a Friday afternoon, the bot does not prompt for
    a week about to close, remind at once and send an empty digest an hour later."""
    period = Period.at(campaign.period_type, campaign.started_on, campaign.timezone)
    if times(campaign, period).deadline - campaign.started_on < FIRST_PERIOD_MIN_WINDOW:
        period = period.next()
    return period


def current_period(campaign: Campaign, now: datetime) -> Period:
    return Period.at(campaign.period_type, now, campaign.timezone)


def times(campaign: Campaign, period: Period) -> DueTimes:
    return due_times(period, campaign.schedule, campaign.timezone)


def reporting_period(campaign: Campaign, now: datetime) -> Period:
    """The period a reply sent at ``now`` is for, when the reporter does not say.

    Before this period's open time, a reply is taken as a (late) report for the previous
    period while that one is not locked yet: a weekly report typed on Monday morning is almost
    always last week's. Otherwise it is for the current period (early replies are accepted).
    The reply's echo always names the period, and ``/baocao tuần 47 ...`` picks one explicitly.
    """
    current = current_period(campaign, now)
    first = first_period(campaign)
    if now >= times(campaign, current).open:
        return max(current, first)
    previous = current.prev()
    if previous >= first and now < times(campaign, previous).lock:
        return previous
    return max(current, first)


def is_locked(campaign: Campaign, period: Period, now: datetime) -> bool:
    return now >= times(campaign, period).lock


def is_late(campaign: Campaign, period: Period, at: datetime) -> bool:
    return at > times(campaign, period).deadline
