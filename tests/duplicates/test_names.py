"""Names made comparable: the same person written by two clerks reads the same."""

import pytest

from app.duplicates.names import normalise, sound_key


@pytest.mark.parametrize(
    "written, read",
    [
        ("Hj. Siti Nurhaliza, S.Pd.", "nurhaliza"),
        ("Drs. H. Mochamad Djoko Santoso", "muhamad joko santoso"),
        ("Muh. Joko Santoso", "muhamad joko santoso"),
        ("MUHAMMAD  joko   SANTOSO", "muhamad joko santoso"),
        ("Achmad bin Yusuf", "ahmad"),
        ("Khairul Anam", "hairul anam"),
        ("Chairul Anam", "hairul anam"),
        ("Soeryani", "suryani"),
        ("Siti", "siti"),
        ("Ir. Effendi, M.M.", "efendi"),
        ("Dewi binti Sulaiman", "dewi"),
        ("", ""),
    ],
)
def test_names_are_normalised_the_indonesian_way(written, read):
    assert normalise(written) == read


def test_spellings_of_one_name_share_a_sound_key():
    assert sound_key("Nurhaliza") == sound_key("Nur Haliza") == sound_key("Noerhalisa")
    assert sound_key("Joko Santoso") != sound_key("Budi Santoso")
    assert sound_key(None) == ""
