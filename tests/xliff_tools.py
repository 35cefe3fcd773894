"""What the XLIFF tests share: the schema, a real OmegaT run, and small file edits."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from articles.xliff.inline import NS

DATA = Path(__file__).parent / "data" / "xliff"
OMEGAT_JAR = Path("/usr/share/omegat/OmegaT.jar")
Q = f"{{{NS}}}"


def schema():
    """The OASIS XLIFF 1.2 strict schema (tests/data/xliff/README.md says where from)."""
    return etree.XMLSchema(etree.parse(str(DATA / "xliff-core-1.2-strict.xsd")))


def units(data):
    """Return ``{unit id: trans-unit element}`` of an XLIFF document."""
    root = etree.fromstring(data)
    return {unit.get("id"): unit for unit in root.iter(Q + "trans-unit")}


def replace_target(data, unit_id, inner_xml, state=None):
    """Return the document with the target of ``unit_id`` replaced by ``inner_xml``
    (XLIFF markup, as a translator's tool would write it)."""
    root = etree.fromstring(data)
    for unit in root.iter(Q + "trans-unit"):
        if unit.get("id") == unit_id:
            target = unit.find(Q + "target")
            fragment = etree.fromstring(f'<target xmlns="{NS}">{inner_xml}</target>')
            target.text = fragment.text
            for child in list(target):
                target.remove(child)
            for child in fragment:
                target.append(child)
            if state:
                target.set("state", state)
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    raise AssertionError(f"no unit {unit_id}")


PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
  <project version="1.0">
    <source_dir>source</source_dir>
    <source_dir_excludes/>
    <target_dir>target</target_dir>
    <tm_dir>tm</tm_dir>
    <glossary_dir>glossary</glossary_dir>
    <glossary_file>glossary/glossary.txt</glossary_file>
    <dictionary_dir>dictionary</dictionary_dir>
    <source_lang>{source}</source_lang>
    <target_lang>{target}</target_lang>
    <source_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</source_tok>
    <target_tok>org.omegat.tokenizer.LuceneJapaneseTokenizer</target_tok>
    <sentence_seg>true</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""


class OmegaT:
    """An OmegaT project on disk, run headless in console mode (Debian's omegat 3.6)."""

    def __init__(self, folder, source="en", target="ja"):
        if not OMEGAT_JAR.exists() or not shutil.which("java"):
            pytest.fail("Debian's omegat is missing: run `make test`, which installs it")
        self.folder = Path(folder)
        for name in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        (self.folder / "omegat.project").write_text(
            PROJECT.format(source=source, target=target), encoding="utf-8"
        )

    def run(self, *arguments):
        # A home of its own: OmegaT writes its settings there.
        home = self.folder / "home"
        home.mkdir(exist_ok=True)
        completed = subprocess.run(
            [
                "java",
                "-Djava.awt.headless=true",
                f"-Duser.home={home}",
                "-jar",
                str(OMEGAT_JAR),
                str(self.folder),
                *arguments,
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
        return completed

    def segments(self):
        """Return the source segments as OmegaT sees them (its tags written ``<g0>``…),
        from a TMX it writes with every segment translated as itself."""
        tmx = self.folder / "pseudo.tmx"
        self.run(
            "--mode=console-createpseudotranslatetmx",
            f"--pseudotranslatetmx={tmx}",
            "--pseudotranslatetype=equal",
        )
        root = etree.parse(str(tmx)).getroot()
        return [tu.find("tuv").find("seg").text or "" for tu in root.iter("tu")]

    def memory(self, pairs, source="en", target="ja"):
        """Put a TMX with these (source segment, translation) pairs in tm/auto/, where
        console mode applies it."""
        root = etree.Element("tmx", version="1.4")
        etree.SubElement(
            root,
            "header",
            creationtool="kb-tests",
            creationtoolversion="1",
            segtype="sentence",
            **{"o-tmf": "none", "adminlang": "en", "srclang": source, "datatype": "plaintext"},
        )
        body = etree.SubElement(root, "body")
        lang = "{http://www.w3.org/XML/1998/namespace}lang"
        for original, translated in pairs:
            tu = etree.SubElement(body, "tu")
            for code, text in ((source, original), (target, translated)):
                tuv = etree.SubElement(tu, "tuv", **{lang: code})
                etree.SubElement(tuv, "seg").text = text
        (self.folder / "tm" / "auto" / "kb.tmx").write_bytes(
            etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        )

    def translate(self):
        self.run("--mode=console-translate")


TAG = re.compile(r"</?[a-z]+\d+/?>")


def tags(segment):
    """Return OmegaT's tags in a segment, in order (``<g0>``, ``</g0>``, ``<c1/>``…)."""
    return TAG.findall(segment)


def words(segment):
    """Return a segment without its tags: what a person recognises it by."""
    return TAG.sub("", segment)
