"""Languages: ISO 639-1 codes, stored everywhere, and the English names people read and type.

Parents' and volunteers' languages are stored as two-letter ISO 639-1 codes (``en``, ``pl``)
so that matching compares like with like. People never see a code: pickers offer names
(the languages common in UK perinatal services first, see ``COMMON``), pages show names
(``language_name``), and anything typed or imported may be a name or a code in any case
(``language_code``, ``parse_languages``). Pure: no Flask, no SQLAlchemy, no models.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

#: Every ISO 639-1 code with the English name shown for it.
ISO_639_1: dict[str, str] = {
    "aa": "Afar",
    "ab": "Abkhazian",
    "ae": "Avestan",
    "af": "Afrikaans",
    "ak": "Akan",
    "am": "Amharic",
    "an": "Aragonese",
    "ar": "Arabic",
    "as": "Assamese",
    "av": "Avaric",
    "ay": "Aymara",
    "az": "Azerbaijani",
    "ba": "Bashkir",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "bi": "Bislama",
    "bm": "Bambara",
    "bn": "Bengali",
    "bo": "Tibetan",
    "br": "Breton",
    "bs": "Bosnian",
    "ca": "Catalan",
    "ce": "Chechen",
    "ch": "Chamorro",
    "co": "Corsican",
    "cr": "Cree",
    "cs": "Czech",
    "cu": "Church Slavonic",
    "cv": "Chuvash",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "dv": "Dhivehi",
    "dz": "Dzongkha",
    "ee": "Ewe",
    "el": "Greek",
    "en": "English",
    "eo": "Esperanto",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Farsi",
    "ff": "Fula",
    "fi": "Finnish",
    "fj": "Fijian",
    "fo": "Faroese",
    "fr": "French",
    "fy": "Western Frisian",
    "ga": "Irish",
    "gd": "Scottish Gaelic",
    "gl": "Galician",
    "gn": "Guarani",
    "gu": "Gujarati",
    "gv": "Manx",
    "ha": "Hausa",
    "he": "Hebrew",
    "hi": "Hindi",
    "ho": "Hiri Motu",
    "hr": "Croatian",
    "ht": "Haitian Creole",
    "hu": "Hungarian",
    "hy": "Armenian",
    "hz": "Herero",
    "ia": "Interlingua",
    "id": "Indonesian",
    "ie": "Interlingue",
    "ig": "Igbo",
    "ii": "Nuosu",
    "ik": "Inupiaq",
    "io": "Ido",
    "is": "Icelandic",
    "it": "Italian",
    "iu": "Inuktitut",
    "ja": "Japanese",
    "jv": "Javanese",
    "ka": "Georgian",
    "kg": "Kongo",
    "ki": "Kikuyu",
    "kj": "Kwanyama",
    "kk": "Kazakh",
    "kl": "Greenlandic",
    "km": "Khmer",
    "kn": "Kannada",
    "ko": "Korean",
    "kr": "Kanuri",
    "ks": "Kashmiri",
    "ku": "Kurdish",
    "kv": "Komi",
    "kw": "Cornish",
    "ky": "Kyrgyz",
    "la": "Latin",
    "lb": "Luxembourgish",
    "lg": "Luganda",
    "li": "Limburgish",
    "ln": "Lingala",
    "lo": "Lao",
    "lt": "Lithuanian",
    "lu": "Luba-Katanga",
    "lv": "Latvian",
    "mg": "Malagasy",
    "mh": "Marshallese",
    "mi": "Maori",
    "mk": "Macedonian",
    "ml": "Malayalam",
    "mn": "Mongolian",
    "mr": "Marathi",
    "ms": "Malay",
    "mt": "Maltese",
    "my": "Burmese",
    "na": "Nauruan",
    "nb": "Norwegian Bokmål",
    "nd": "North Ndebele",
    "ne": "Nepali",
    "ng": "Ndonga",
    "nl": "Dutch",
    "nn": "Norwegian Nynorsk",
    "no": "Norwegian",
    "nr": "South Ndebele",
    "nv": "Navajo",
    "ny": "Chichewa",
    "oc": "Occitan",
    "oj": "Ojibwe",
    "om": "Oromo",
    "or": "Odia",
    "os": "Ossetian",
    "pa": "Punjabi",
    "pi": "Pali",
    "pl": "Polish",
    "ps": "Pashto",
    "pt": "Portuguese",
    "qu": "Quechua",
    "rm": "Romansh",
    "rn": "Kirundi",
    "ro": "Romanian",
    "ru": "Russian",
    "rw": "Kinyarwanda",
    "sa": "Sanskrit",
    "sc": "Sardinian",
    "sd": "Sindhi",
    "se": "Northern Sami",
    "sg": "Sango",
    "si": "Sinhala",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sm": "Samoan",
    "sn": "Shona",
    "so": "Somali",
    "sq": "Albanian",
    "sr": "Serbian",
    "ss": "Swati",
    "st": "Sesotho",
    "su": "Sundanese",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "te": "Telugu",
    "tg": "Tajik",
    "th": "Thai",
    "ti": "Tigrinya",
    "tk": "Turkmen",
    "tl": "Tagalog",
    "tn": "Tswana",
    "to": "Tongan",
    "tr": "Turkish",
    "ts": "Tsonga",
    "tt": "Tatar",
    "tw": "Twi",
    "ty": "Tahitian",
    "ug": "Uyghur",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "uz": "Uzbek",
    "ve": "Venda",
    "vi": "Vietnamese",
    "vo": "Volapük",
    "wa": "Walloon",
    "wo": "Wolof",
    "xh": "Xhosa",
    "yi": "Yiddish",
    "yo": "Yoruba",
    "za": "Zhuang",
    "zh": "Chinese",
    "zu": "Zulu",
}

#: Other English names of the same languages (ISO's alternatives and common UK spellings).
#: Only the same language: Cantonese, Dari or Sylheti are not given a neighbour's code.
OTHER_NAMES: dict[str, str] = {
    "abkhaz": "ab",
    "azeri": "az",
    "bangla": "bn",
    "castilian": "es",
    "divehi": "dv",
    "maldivian": "dv",
    "persian": "fa",
    "fulah": "ff",
    "fulani": "ff",
    "pulaar": "ff",
    "frisian": "fy",
    "irish gaelic": "ga",
    "gaelic": "gd",
    "scots gaelic": "gd",
    "haitian": "ht",
    "sichuan yi": "ii",
    "kalaallisut": "kl",
    "kuanyama": "kj",
    "gikuyu": "ki",
    "central khmer": "km",
    "kirghiz": "ky",
    "letzeburgesch": "lb",
    "ganda": "lg",
    "limburgan": "li",
    "laotian": "lo",
    "te reo maori": "mi",
    "myanmar": "my",
    "nauru": "na",
    "bokmal": "nb",
    "nynorsk": "nn",
    "flemish": "nl",
    "nyanja": "ny",
    "chewa": "ny",
    "ojibwa": "oj",
    "oriya": "or",
    "afaan oromo": "om",
    "panjabi": "pa",
    "pushto": "ps",
    "moldovan": "ro",
    "moldavian": "ro",
    "rundi": "rn",
    "sinhalese": "si",
    "slovene": "sl",
    "southern sotho": "st",
    "sotho": "st",
    "swazi": "ss",
    "kiswahili": "sw",
    "tigrigna": "ti",
    "filipino": "tl",
    "tonga": "to",
    "uighur": "ug",
    "mandarin": "zh",
    "mandarin chinese": "zh",
    "isixhosa": "xh",
    "isizulu": "zu",
}

#: Shown first (as tick boxes) wherever languages are picked: English, then the languages
#: UK perinatal services most often meet, by name. Any other ISO language can be typed.
COMMON: tuple[str, ...] = (
    "en",
    "sq",
    "ar",
    "bn",
    "zh",
    "fa",
    "fr",
    "gu",
    "hi",
    "ku",
    "lt",
    "ps",
    "pl",
    "pt",
    "pa",
    "ro",
    "so",
    "es",
    "ta",
    "ti",
    "tr",
    "uk",
    "ur",
    "cy",
)

#: How a typed list of languages may be separated: commas, semicolons, slashes or "and".
TYPED_SEPARATORS = re.compile(r"[,;/\n]|\band\b|&", re.IGNORECASE)


def _key(text: str) -> str:
    """Lower case, accents off, spaces tidied: how typed names are compared."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("\u2019", "'").split())


_BY_NAME: dict[str, str] = {_key(name): code for code, name in ISO_639_1.items()}
_BY_NAME.update({_key(name): code for name, code in OTHER_NAMES.items()})


def language_name(code: str) -> str:
    """The English name for a code; anything else (an old stored word) shows as itself."""
    return ISO_639_1.get(code, code)


def language_code(text: str) -> str | None:
    """The code for a name or a code, in any case ("Polish", "pl", "PL"), or None."""
    key = _key(text)
    if key in ISO_639_1:
        return key
    return _BY_NAME.get(key)


class ParsedLanguages(NamedTuple):
    codes: list[str]  # known, in the order given, each once
    unknown: list[str]  # what was not a language, as it was written


def parse_languages(items: Iterable[str]) -> ParsedLanguages:
    """Names or codes (any case, blanks skipped) as codes, and what was not a language."""
    codes: list[str] = []
    unknown: list[str] = []
    for item in items:
        text = " ".join(item.split())
        if not text:
            continue
        code = language_code(text)
        if code is None:
            if text not in unknown:
                unknown.append(text)
        elif code not in codes:
            codes.append(code)
    return ParsedLanguages(codes, unknown)


def split_typed(text: str | None) -> list[str]:
    """What a person typed ("Tamil, Amharic and Thai") as separate words."""
    return [part.strip() for part in TYPED_SEPARATORS.split(text or "") if part.strip()]


def unknown_message(unknown: list[str]) -> str:
    """'"Klingon" is not a language we know' (or '"A" and "B" are not languages we know')."""
    quoted = [f'"{word[:40]}"' for word in unknown]
    if len(quoted) == 1:
        return f"{quoted[0]} is not a language we know"
    return f"{', '.join(quoted[:-1])} and {quoted[-1]} are not languages we know"


def common_choices() -> list[tuple[str, str]]:
    """(code, name) for the pickers' tick boxes, English first then by name."""
    first, rest = COMMON[0], sorted(COMMON[1:], key=language_name)
    return [(code, language_name(code)) for code in (first, *rest)]


def split_for_picker(codes: Iterable[str]) -> tuple[list[str], str]:
    """Stored codes as (the ticked common ones, the others' names typed out)."""
    ticked = [c for c in codes if c in COMMON]
    others = [language_name(c) for c in codes if c not in COMMON]
    return ticked, ", ".join(others)
