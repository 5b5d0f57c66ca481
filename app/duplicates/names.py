"""Indonesian names made comparable: the same person written by two clerks should read the same.

`normalise` lowers case, folds accents and punctuation, drops honorific and academic titles
(H., Hj., Hajjah, Drs., S.Pd., Ir. …) and the patronymic particles bin/binti with what follows
them (a father's name is not the person's), writes the common spellings of one name one way
(Muh./Moh./Mochamad/Mohammad → muhamad; the pre-1972 spellings dj, tj, sj, oe → j, c, sy, u;
ch/kh → h; doubled letters once) and drops "Siti", which women carry or leave off at will.
`sound_key` is a phonetic key for blocking (jellyfish's Metaphone over the name without
spaces), so Nurhaliza, Nur Haliza and Noerhalisa share one block.
"""

import re
import unicodedata

import jellyfish

#: Titles written before or after a name (lower case, without dots). Degrees such as S.Pd. or
#: S.Kom. are written with dots and commas; they are matched once the dots are gone.
TITLES = frozenset(
    """h hj haji hajjah hjh drs dra dr ir prof kh ust ustad ustadz ustadzah tn ny nn sdr sdri
    bpk ibu bu pak sh se sp spd spdi sag sip skom st sth sthi ssos ssi sked mm mpd msi mh mag
    amd amdkeb amdkep apt""".split()
)
#: Given names that are added or dropped freely; a person is not told apart by them.
OPTIONAL = frozenset({"siti"})
#: One spelling for the many of one name.
SPELLINGS = {
    **dict.fromkeys(
        (
            "muh",
            "moh",
            "mhd",
            "muhamad",
            "muhammad",
            "mohamad",
            "mohammad",
            "mochamad",
            "mochammad",
            "mokhamad",
            "muchamad",
            "muchammad",
            "mohd",
            "md",
        ),
        "muhammad",
    ),
    **dict.fromkeys(("abd", "abdul"), "abdul"),
    **dict.fromkeys(("nur", "noor", "noer"), "nur"),
}
#: Pre-1972 (Van Ophuijsen) spellings, still on many identity cards (Djoko, Tjahjo, Soekarno),
#: and the letters written either way (Achmad/Akhmad/Ahmad, Chairul/Khairul, Ephendi/Efendi).
OLD_SPELLING = (
    ("dj", "j"),
    ("tj", "c"),
    ("sj", "sy"),
    ("oe", "u"),
    ("ch", "h"),
    ("kh", "h"),
    ("ph", "f"),
)
_DOUBLED = re.compile(r"(.)\1+")
PARTICLES = ("bin", "binti", "bt", "bte")

_NOT_LETTER = re.compile(r"[^a-z\s]")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(name: str | None) -> list[str]:
    """The name's words once titles, particles and spelling variants are dealt with."""
    if not name:
        return []
    text = _fold(name).replace(",", " , ")
    # "S.Pd." and "H." lose their dots; a comma ends the name (degrees follow it).
    words = []
    for raw in text.split():
        if raw == ",":
            break
        words.append(_NOT_LETTER.sub("", raw))
    kept, optional = [], []
    for word in words:
        if not word:
            continue
        if word in PARTICLES:
            break
        if word in TITLES:
            continue
        if word in OPTIONAL:
            optional.append(word)
            continue
        word = SPELLINGS.get(word, word)
        for old, new in OLD_SPELLING:
            word = word.replace(old, new)
        kept.append(_DOUBLED.sub(r"\1", word))
    # "Siti" alone is the whole name: kept then.
    return kept or optional


def normalise(name: str | None) -> str:
    return " ".join(tokens(name))


def sound_key(name: str | None) -> str:
    """A phonetic key of the whole name (words joined), short enough to block on."""
    joined = "".join(tokens(name))
    return jellyfish.metaphone(joined)[:8] if joined else ""
