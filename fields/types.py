"""Field types: each turns an incoming value into its stored, native JSON form or says why not."""

import datetime
import math
import re

from subscribers.emails import InvalidEmail, normalize_email

# ISO 3166-1 alpha-2, officially assigned codes.
COUNTRY_CODES = frozenset(
    [
        "AD",
        "AE",
        "AF",
        "AG",
        "AI",
        "AL",
        "AM",
        "AO",
        "AQ",
        "AR",
        "AS",
        "AT",
        "AU",
        "AW",
        "AX",
        "AZ",
        "BA",
        "BB",
        "BD",
        "BE",
        "BF",
        "BG",
        "BH",
        "BI",
        "BJ",
        "BL",
        "BM",
        "BN",
        "BO",
        "BQ",
        "BR",
        "BS",
        "BT",
        "BV",
        "BW",
        "BY",
        "BZ",
        "CA",
        "CC",
        "CD",
        "CF",
        "CG",
        "CH",
        "CI",
        "CK",
        "CL",
        "CM",
        "CN",
        "CO",
        "CR",
        "CU",
        "CV",
        "CW",
        "CX",
        "CY",
        "CZ",
        "DE",
        "DJ",
        "DK",
        "DM",
        "DO",
        "DZ",
        "EC",
        "EE",
        "EG",
        "EH",
        "ER",
        "ES",
        "ET",
        "FI",
        "FJ",
        "FK",
        "FM",
        "FO",
        "FR",
        "GA",
        "GB",
        "GD",
        "GE",
        "GF",
        "GG",
        "GH",
        "GI",
        "GL",
        "GM",
        "GN",
        "GP",
        "GQ",
        "GR",
        "GS",
        "GT",
        "GU",
        "GW",
        "GY",
        "HK",
        "HM",
        "HN",
        "HR",
        "HT",
        "HU",
        "ID",
        "IE",
        "IL",
        "IM",
        "IN",
        "IO",
        "IQ",
        "IR",
        "IS",
        "IT",
        "JE",
        "JM",
        "JO",
        "JP",
        "KE",
        "KG",
        "KH",
        "KI",
        "KM",
        "KN",
        "KP",
        "KR",
        "KW",
        "KY",
        "KZ",
        "LA",
        "LB",
        "LC",
        "LI",
        "LK",
        "LR",
        "LS",
        "LT",
        "LU",
        "LV",
        "LY",
        "MA",
        "MC",
        "MD",
        "ME",
        "MF",
        "MG",
        "MH",
        "MK",
        "ML",
        "MM",
        "MN",
        "MO",
        "MP",
        "MQ",
        "MR",
        "MS",
        "MT",
        "MU",
        "MV",
        "MW",
        "MX",
        "MY",
        "MZ",
        "NA",
        "NC",
        "NE",
        "NF",
        "NG",
        "NI",
        "NL",
        "NO",
        "NP",
        "NR",
        "NU",
        "NZ",
        "OM",
        "PA",
        "PE",
        "PF",
        "PG",
        "PH",
        "PK",
        "PL",
        "PM",
        "PN",
        "PR",
        "PS",
        "PT",
        "PW",
        "PY",
        "QA",
        "RE",
        "RO",
        "RS",
        "RU",
        "RW",
        "SA",
        "SB",
        "SC",
        "SD",
        "SE",
        "SG",
        "SH",
        "SI",
        "SJ",
        "SK",
        "SL",
        "SM",
        "SN",
        "SO",
        "SR",
        "SS",
        "ST",
        "SV",
        "SX",
        "SY",
        "SZ",
        "TC",
        "TD",
        "TF",
        "TG",
        "TH",
        "TJ",
        "TK",
        "TL",
        "TM",
        "TN",
        "TO",
        "TR",
        "TT",
        "TV",
        "TW",
        "TZ",
        "UA",
        "UG",
        "UM",
        "US",
        "UY",
        "UZ",
        "VA",
        "VC",
        "VE",
        "VG",
        "VI",
        "VN",
        "VU",
        "WF",
        "WS",
        "YE",
        "YT",
        "ZA",
        "ZM",
        "ZW",
    ]
)

GENDERS = {"m": "M", "male": "M", "f": "F", "female": "F", "x": "X", "other": "X", "non-binary": "X"}
TRUE_WORDS = {"true", "1", "yes", "y", "on"}
FALSE_WORDS = {"false", "0", "no", "n", "off"}
MAX_STRING = 1000
TYPES = ("string", "number", "boolean", "date", "email", "gender", "country")


class InvalidValue(ValueError):
    pass


def _string(value):
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidValue("must be a string")
    text = str(value).strip()
    if len(text) > MAX_STRING:
        raise InvalidValue(f"must have at most {MAX_STRING} characters")
    return text


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidValue("must be a number")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise InvalidValue("must be a number") from None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise InvalidValue("must be a finite number")
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def _boolean(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (str, int)):
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise InvalidValue("must be a boolean (true or false)")


def _date(value):
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise InvalidValue("must be a date as YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InvalidValue("must be a valid calendar date (YYYY-MM-DD)") from None


def _email(value):
    if not isinstance(value, str):
        raise InvalidValue("must be an email address")
    try:
        return normalize_email(value).address
    except InvalidEmail as exc:
        raise InvalidValue(str(exc)) from None


def _gender(value):
    if isinstance(value, str) and value.strip().lower() in GENDERS:
        return GENDERS[value.strip().lower()]
    raise InvalidValue("must be M, F or X")


def _country(value):
    if isinstance(value, str) and value.strip().upper() in COUNTRY_CODES:
        return value.strip().upper()
    raise InvalidValue("must be an ISO 3166-1 alpha-2 country code, such as AR or US")


COERCERS = {
    "string": _string,
    "number": _number,
    "boolean": _boolean,
    "date": _date,
    "email": _email,
    "gender": _gender,
    "country": _country,
}


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def coerce(field_type: str, value):
    """The stored form of ``value`` for ``field_type``; raises InvalidValue."""
    return COERCERS[field_type](value)
