"""kit.text_decoding: UTF-8 and GBK/GB18030 are read; Shift-JIS, Big5, UTF-16 and binary are refused, never
turned into mojibake. The files are real encodings of real company names."""

from __future__ import annotations

import pytest

from certbridge.kit.text_decoding import decode_text

JAPANESE = ["株式会社日立製作所", "トヨタ自動車株式会社", "ソニーグループ株式会社", "任天堂株式会社",
            "キヤノン株式会社", "東京都千代田区丸の内一丁目"]
TAIWANESE = ["台灣積體電路製造股份有限公司", "鴻海精密工業股份有限公司", "聯發科技股份有限公司", "台北市信義區",
             "華碩電腦股份有限公司"]
CHINESE = ["华为技术有限公司", "深圳市腾讯计算机系统有限公司", "格力电器（珠海）有限公司", "北京堃昇科技有限公司",
           "上海喆啡食品有限公司", "北海市海城区示例电子有限公司"]


def _csv(names, scope="生产") -> str:
    return "number,holder_name,scope\r\n" + "".join(f"N-{i},{n},{scope}\r\n" for i, n in enumerate(names))


@pytest.mark.parametrize("name", JAPANESE)
def test_a_shift_jis_file_is_refused(name):
    decoded = decode_text(_csv([name], scope="製造").encode("shift_jis"))
    assert decoded.text is None and decoded.problem == "import.encoding"


@pytest.mark.parametrize("name", TAIWANESE)
def test_a_big5_file_is_refused(name):
    decoded = decode_text(_csv([name], scope="製造").encode("big5"))
    assert decoded.text is None and decoded.problem == "import.encoding"


def test_whole_files_in_shift_jis_and_big5_are_refused():
    assert decode_text(_csv(JAPANESE, scope="電子部品の製造").encode("shift_jis")).text is None
    assert decode_text(_csv(TAIWANESE, scope="電子產品的生產").encode("big5")).text is None


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_files_are_read_intact_even_with_rare_name_characters(encoding):
    text = _csv(CHINESE, scope="电子元器件的设计和生产；食品用包装材料的生产")
    decoded = decode_text(text.encode(encoding))
    assert decoded.text == text and decoded.encoding == "gb18030"


def test_one_rare_character_in_a_tiny_gbk_file_is_tolerated():
    assert decode_text("name\r\n朱镕基\r\n".encode("gbk")).text == "name\r\n朱镕基\r\n"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_and_without_bom(bom):
    text = _csv(JAPANESE + TAIWANESE + CHINESE)
    decoded = decode_text(bom + text.encode("utf-8"))
    assert decoded.text == text and decoded.encoding == "utf-8"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_refused(encoding):
    decoded = decode_text(_csv(CHINESE).encode(encoding))
    assert decoded.text is None and decoded.problem == "import.encoding_utf16"


def test_binary_is_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert decode_text(png).problem == "import.binary"
    assert decode_text(bytes(range(128, 256)) * 4).text is None
