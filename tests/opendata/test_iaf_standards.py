"""ISO standard names and the Chinese standards identical to them."""

import pytest

from certbridge.opendata.iaf_standards import chinese_standard, iso_standard, standard_matches


@pytest.mark.parametrize("required, held, meets", [
    ("ISO 9001:2015", "GB/T 19001-2016", True),
    ("iso9001", "GB/T 19001-2016", True),  # no year: any edition; spacing and case as typed
    ("GB/T19001-2016", "GB/T 19001-2016", True),
    ("ISO 14001:2015", "GB/T 19001-2016", False),
    ("ISO/IEC 27001", "GB/T 22080-2016", True),
    ("ISO/IEC 27001:2022", "GB/T 22080-2016", False),  # the 2022 edition is GB/T 22080-2025
    ("", None, True),
    ("ISO 9001", None, False),
])
def test_a_required_standard_is_met_by_its_identical_adoption(required, held, meets):
    assert standard_matches(required, held) is meets


def test_iso_names_map_to_their_chinese_standard_and_back():
    assert chinese_standard("ISO 45001:2018") == ("GB/T 45001", "2020", "OHSMS")
    assert chinese_standard("ISO/IEC 27001") == ("GB/T 22080", "2025", "ISMS")  # no year: the newest edition
    assert chinese_standard("ISO 99999:2030") is None
    assert iso_standard("GB/T 24001", "2016") == "ISO 14001:2015" and iso_standard("GB/T 27922", "2011") is None
