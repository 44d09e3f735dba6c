"""The case clock: one time zone per case, and conversion between UTC and the case's wall clock.

Setup logs and Procmon CSV are written in the machine's local time; EVTX, PML and dumps in UTC. We keep both
numbers for every timeline row. The conversion is done in SQL with a CASE expression built from the zone's
offset transitions inside the case's time range, so re-clocking millions of rows costs one UPDATE.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# Windows time zone key names (registry / msinfo32 / event 6013) to IANA, after the CLDR windowsZones table.
WINDOWS_ZONES: dict[str, str] = {
    "Dateline Standard Time": "Etc/GMT+12",
    "UTC-11": "Etc/GMT+11",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "Alaskan Standard Time": "America/Anchorage",
    "Pacific Standard Time": "America/Los_Angeles",
    "Pacific Standard Time (Mexico)": "America/Tijuana",
    "US Mountain Standard Time": "America/Phoenix",
    "Mountain Standard Time": "America/Denver",
    "Central America Standard Time": "America/Guatemala",
    "Central Standard Time": "America/Chicago",
    "Central Standard Time (Mexico)": "America/Mexico_City",
    "Canada Central Standard Time": "America/Regina",
    "SA Pacific Standard Time": "America/Bogota",
    "Eastern Standard Time": "America/New_York",
    "US Eastern Standard Time": "America/Indianapolis",
    "Atlantic Standard Time": "America/Halifax",
    "SA Western Standard Time": "America/La_Paz",
    "Pacific SA Standard Time": "America/Santiago",
    "Newfoundland Standard Time": "America/St_Johns",
    "E. South America Standard Time": "America/Sao_Paulo",
    "Argentina Standard Time": "America/Buenos_Aires",
    "UTC-02": "Etc/GMT+2",
    "Azores Standard Time": "Atlantic/Azores",
    "UTC": "Etc/UTC",
    "Coordinated Universal Time": "Etc/UTC",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "Morocco Standard Time": "Africa/Casablanca",
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Budapest",
    "Romance Standard Time": "Europe/Paris",
    "Central European Standard Time": "Europe/Warsaw",
    "W. Central Africa Standard Time": "Africa/Lagos",
    "GTB Standard Time": "Europe/Bucharest",
    "E. Europe Standard Time": "Europe/Chisinau",
    "FLE Standard Time": "Europe/Kiev",
    "Israel Standard Time": "Asia/Jerusalem",
    "Egypt Standard Time": "Africa/Cairo",
    "South Africa Standard Time": "Africa/Johannesburg",
    "Turkey Standard Time": "Europe/Istanbul",
    "Arabic Standard Time": "Asia/Baghdad",
    "Arab Standard Time": "Asia/Riyadh",
    "Russian Standard Time": "Europe/Moscow",
    "E. Africa Standard Time": "Africa/Nairobi",
    "Iran Standard Time": "Asia/Tehran",
    "Arabian Standard Time": "Asia/Dubai",
    "Afghanistan Standard Time": "Asia/Kabul",
    "Pakistan Standard Time": "Asia/Karachi",
    "West Asia Standard Time": "Asia/Tashkent",
    "India Standard Time": "Asia/Calcutta",
    "Sri Lanka Standard Time": "Asia/Colombo",
    "Nepal Standard Time": "Asia/Katmandu",
    "Central Asia Standard Time": "Asia/Almaty",
    "Bangladesh Standard Time": "Asia/Dhaka",
    "Myanmar Standard Time": "Asia/Rangoon",
    "SE Asia Standard Time": "Asia/Bangkok",
    "North Asia Standard Time": "Asia/Krasnoyarsk",
    "China Standard Time": "Asia/Shanghai",
    "North Asia East Standard Time": "Asia/Irkutsk",
    "Singapore Standard Time": "Asia/Singapore",
    "W. Australia Standard Time": "Australia/Perth",
    "Taipei Standard Time": "Asia/Taipei",
    "Ulaanbaatar Standard Time": "Asia/Ulaanbaatar",
    "Tokyo Standard Time": "Asia/Tokyo",
    "Korea Standard Time": "Asia/Seoul",
    "Cen. Australia Standard Time": "Australia/Adelaide",
    "AUS Central Standard Time": "Australia/Darwin",
    "E. Australia Standard Time": "Australia/Brisbane",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "West Pacific Standard Time": "Pacific/Port_Moresby",
    "Tasmania Standard Time": "Australia/Hobart",
    "Vladivostok Standard Time": "Asia/Vladivostok",
    "Central Pacific Standard Time": "Pacific/Guadalcanal",
    "New Zealand Standard Time": "Pacific/Auckland",
    "UTC+12": "Etc/GMT-12",
    "Tonga Standard Time": "Pacific/Tongatapu",
}

# Chinese Windows shows the zone's display name, not its key: the few that matter to our users.
DISPLAY_NAMES: dict[str, str] = {
    "中国标准时间": "China Standard Time",
    "台北标准时间": "Taipei Standard Time",
    "东京标准时间": "Tokyo Standard Time",
    "韩国标准时间": "Korea Standard Time",
    "新加坡标准时间": "Singapore Standard Time",
    "协调世界时": "UTC",
}

# systeminfo writes the zone's display name after its standard offset: ``(UTC+08:00) 北京，重庆，香港特别行政区，
# 乌鲁木齐``. The place list after the offset names the Windows zone (so daylight saving is applied where the
# zone has it); an unknown list still gives the offset.
PLACE_NAMES: dict[str, str] = {
    "北京，重庆，香港特别行政区，乌鲁木齐": "China Standard Time",
    "Beijing, Chongqing, Hong Kong, Urumqi": "China Standard Time",
    "台北": "Taipei Standard Time", "Taipei": "Taipei Standard Time",
    "大阪，札幌，东京": "Tokyo Standard Time", "Osaka, Sapporo, Tokyo": "Tokyo Standard Time",
    "首尔": "Korea Standard Time", "Seoul": "Korea Standard Time",
    "吉隆坡，新加坡": "Singapore Standard Time", "Kuala Lumpur, Singapore": "Singapore Standard Time",
    "Pacific Time (US & Canada)": "Pacific Standard Time", "太平洋时间(美国和加拿大)": "Pacific Standard Time",
    "Mountain Time (US & Canada)": "Mountain Standard Time",
    "Central Time (US & Canada)": "Central Standard Time",
    "Eastern Time (US & Canada)": "Eastern Standard Time",
    "Dublin, Edinburgh, Lisbon, London": "GMT Standard Time",
    "Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna": "W. Europe Standard Time",
    "Brussels, Copenhagen, Madrid, Paris": "Romance Standard Time",
    "Chennai, Kolkata, Mumbai, New Delhi": "India Standard Time",
    "Kathmandu": "Nepal Standard Time",
    "Canberra, Melbourne, Sydney": "AUS Eastern Standard Time",
    "Coordinated Universal Time": "UTC", "协调世界时": "UTC",
}

_OFFSET = re.compile(r"^\(?\s*(?:UTC|GMT)?\s*([+-\u2212])\s*(\d{1,2})(?::?(\d{2}))?\s*\)?")


def parse_offset(text: str | None) -> int | None:
    """Minutes east of UTC written at the start of ``text``: ``+08:00``, ``UTC+08:00``, ``(UTC-08:00) Pacific
    Time (US & Canada)``, ``GMT+0545``. None when it states no offset, or one no zone has (beyond -12..+14 h,
    or not a multiple of 15 minutes)."""
    if not text:
        return None
    raw = text.strip()
    if raw in ("UTC", "GMT", "Z", "(UTC)"):
        return 0
    m = _OFFSET.match(raw)
    if m is None or not (raw[:1] in "+-\u2212" or raw.lstrip("(").upper().startswith(("UTC", "GMT"))):
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    value = (hours * 60 + minutes) * (-1 if m.group(1) in "-\u2212" else 1)
    return value if valid_offset(value) else None


def valid_offset(minutes: int) -> bool:
    """An offset some zone has: a multiple of 15 minutes between -12 h and +14 h."""
    return -12 * 60 <= minutes <= 14 * 60 and minutes % 15 == 0


def offset_text(minutes: int) -> str:
    """``480`` -> ``+08:00``, ``-210`` -> ``-03:30``."""
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def fixed_zone(minutes: int) -> tzinfo:
    """A zone without daylight saving, ``minutes`` east of UTC, named ``UTC+05:45`` (what :func:`resolve_zone`
    reads back)."""
    return timezone(timedelta(minutes=minutes), f"UTC{offset_text(minutes)}")


def zone_key(zone: tzinfo) -> str:
    """The name a zone is kept under in the case (``Asia/Shanghai``, ``UTC+05:45``)."""
    key = getattr(zone, "key", None)
    return str(key) if key else str(zone.tzname(None))


def resolve_zone(name: str | None) -> tzinfo | None:
    """The zone for a Windows key name (``China Standard Time``), a Chinese display name (``中国标准时间``), an
    IANA name, a systeminfo display name (``(UTC+08:00) 北京，重庆，…``) or an offset (``+05:45``, ``UTC+08:00``).

    Named zones come back as :class:`ZoneInfo` (with their daylight saving); a bare offset as a fixed zone.
    """
    if not name:
        return None
    name = name.strip()
    name = DISPLAY_NAMES.get(name, name)
    m = _OFFSET.match(name)
    if m is not None and name.startswith("("):
        place = name[m.end():].strip()
        if place in PLACE_NAMES:
            name = PLACE_NAMES[place]
    iana = WINDOWS_ZONES.get(name, name)
    try:
        return ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    minutes = parse_offset(name)
    return fixed_zone(minutes) if minutes is not None else None


def offset_minutes_at(zone: tzinfo, utc_us: int) -> int:
    """The zone's offset from UTC at a moment (daylight saving included), in minutes east."""
    return _offset_us(zone, utc_us) // (60 * US)


def standard_offset_minutes(zone: tzinfo, utc_us: int | None = None) -> int:
    """The zone's standard offset (what Windows writes as ``(UTC+08:00)``): the smaller of its January and
    July offsets in the year of ``utc_us`` (today when None); daylight saving only ever adds."""
    year = us_to_datetime(utc_us).year if utc_us is not None else datetime.now(timezone.utc).year
    probes = (datetime(year, 1, 15, tzinfo=timezone.utc), datetime(year, 7, 15, tzinfo=timezone.utc))
    return min(offset_minutes_at(zone, datetime_to_us(p)) for p in probes)


def us_to_datetime(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def datetime_to_us(dt: datetime) -> int:
    """Microseconds since 1970 UTC; a naive datetime counts as a wall clock (used for 'local' values)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def parse_iso_us(text: str | None) -> int | None:
    """µs of an ISO-8601 text as :func:`format_us` writes it (``Z`` or not: read as written); None if not one."""
    if not text:
        return None
    try:
        return datetime_to_us(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


def format_us(us: int | None, utc: bool = True) -> str | None:
    """ISO-8601 text: ``2021-05-18T03:11:02Z`` for UTC, no suffix for a wall clock; microseconds when present."""
    if us is None:
        return None
    dt = us_to_datetime(us)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        text += f".{dt.microsecond:06d}"
    return text + ("Z" if utc else "")


_PROBE_LO = 946_684_800 * US  # 2000-01-01: probing is clamped to sane years
_PROBE_HI = 2_208_988_800 * US  # 2040-01-01


@lru_cache(maxsize=64)
def _transitions(zone: tzinfo, lo_us: int, hi_us: int) -> tuple[tuple[int, int], ...]:
    """(utc_us_from, offset_us) pairs covering [lo, hi]: daily probes, refined to the hour, then the quarter.

    Daily, not hourly: offset changes are months apart, and a case spanning years of event logs made hourly
    probing cost ~0.2 s per call (measured: 3 calls were 0.65 s of a 16k-record EVTX ingest). Cached, since
    finalizing a case asks for the same zone and range up to three times.
    """
    day, hour, quarter = 86_400 * US, 3600 * US, 900 * US
    lo = min(max(lo_us, _PROBE_LO), _PROBE_HI) - 2 * day
    hi = max(min(hi_us, _PROBE_HI), _PROBE_LO) + 2 * day
    t = lo - lo % hour
    prev = _offset_us(zone, t)
    out = [(t, prev)]
    while t <= hi:
        nxt = t + day
        off = _offset_us(zone, nxt)
        if off != prev:
            h = t
            while _offset_us(zone, h + hour) == prev:
                h += hour
            q = h + quarter
            while _offset_us(zone, q) == prev:
                q += quarter
            out.append((q, off))
            prev = off
        t = nxt
    return tuple(out)


def _offset_us(zone: tzinfo, utc_us: int) -> int:
    off = us_to_datetime(utc_us).astimezone(zone).utcoffset()
    return int(off.total_seconds()) * US if off is not None else 0


def utc_to_local_sql(zone: tzinfo | None, lo_us: int, hi_us: int, col: str = "ts") -> str:
    """SQL for the wall clock of ``col`` (UTC µs) in ``zone``; identity when the zone is unknown."""
    if zone is None:
        return col
    trans = _transitions(zone, lo_us, hi_us)
    if len(trans) == 1:
        return f"({col} + {trans[0][1]})"
    parts = [f"WHEN {col} < {trans[i + 1][0]} THEN {col} + {off}" for i, (_, off) in enumerate(trans[:-1])]
    return f"(CASE {' '.join(parts)} ELSE {col} + {trans[-1][1]} END)"


def local_to_utc_sql(zone: tzinfo | None, lo_us: int, hi_us: int, col: str = "local") -> str:
    """SQL for the UTC of a wall clock ``col``; in a repeated autumn hour the first (daylight) reading wins."""
    if zone is None:
        return col
    trans = _transitions(zone, lo_us, hi_us)
    if len(trans) == 1:
        return f"({col} - {trans[0][1]})"
    # Transition instants expressed on the wall clock *before* each change.
    parts = []
    for i, (_, off) in enumerate(trans[:-1]):
        wall_change = trans[i + 1][0] + off
        parts.append(f"WHEN {col} < {wall_change} THEN {col} - {off}")
    return f"(CASE {' '.join(parts)} ELSE {col} - {trans[-1][1]} END)"
