"""Compare short text answers ignoring case, accents, punctuation and spacing.

Place names in this course are written in several alphabets and transliterations:
``Xankəndi``, ``Xankendi`` and ``KHANKENDI`` should all count as the same answer.
:func:`normalize` reduces a text to lower-case ASCII-like letters and digits.

Examples
--------
>>> normalize("Xankəndi") == normalize("xankendi")
True
>>> normalize("  Lachin  corridor ") == normalize("Lachin-Corridor")
True
"""

from __future__ import annotations

import unicodedata

__all__ = ["normalize", "same_text"]

# Letters that Unicode's compatibility decomposition (NFKD) does not split into a
# base letter plus an accent, mapped to what a student typing on a Latin keyboard
# would write. Azerbaijani schwa and dotless i come first: they are the common ones.
_SPECIAL = str.maketrans(
    {
        "ə": "e",
        "Ə": "e",
        "ı": "i",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "ħ": "h",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "Þ": "th",
    }
)


def normalize(text: str) -> str:
    """Return ``text`` without case, accents, punctuation or spaces.

    Steps: map letters that have no decomposition (``ə`` -> ``e``, ``ı`` -> ``i``...),
    decompose with NFKD and drop the combining marks (``ş`` -> ``s``), case-fold,
    then keep only letters and digits (of any script).

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        The normalised text; empty if ``text`` has no letters or digits.

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> normalize("Şuşa")
    'susa'
    >>> normalize("Ağdam, Azərbaycan")
    'agdamazerbaycan'
    >>> normalize("Ստեփանակերտ") == normalize("ստեփանակերտ")
    True
    >>> normalize("—")
    ''
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize() needs a string, not {type(text).__name__}")
    mapped = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    folded = "".join(ch for ch in mapped if not unicodedata.combining(ch)).casefold()
    # Case folding can produce new letters (e.g. 'İ' -> 'i̇'): decompose once more.
    folded = unicodedata.normalize("NFKD", folded.translate(_SPECIAL))
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def same_text(a: str, b: str) -> bool:
    """Return True if ``a`` and ``b`` are the same answer once normalised.

    Two texts without any letter or digit are never the same answer.

    Examples
    --------
    >>> same_text("Khankendi", "KHAN-KENDI")
    True
    >>> same_text("Shusha", "Shushi")
    False
    >>> same_text("?", "!")
    False
    """
    na, nb = normalize(a), normalize(b)
    return bool(na) and na == nb
