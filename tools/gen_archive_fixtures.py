"""Small archives made by Python's zipfile and tarfile, to check descent's readers against real writers.
Run: /usr/bin/python3 tools/gen_archive_fixtures.py  (writes test/fixtures/archives/*)"""
import io
import os
import tarfile
import zipfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "archives")
os.makedirs(OUT, exist_ok=True)
TEXT = ("ham\tGo until jurong point, crazy..\n" * 20).encode()
LONG = "a-folder-whose-name-is-long-enough/" * 3 + "recordings/0_theo_1.wav"

with zipfile.ZipFile(os.path.join(OUT, "members.zip"), "w") as z:
    z.writestr(zipfile.ZipInfo("data/"), "")
    z.writestr("data/deflated.txt", TEXT, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("data/stored.txt", b"stored bytes\n", compress_type=zipfile.ZIP_STORED)
    z.comment = b"a comment at the end"

with tarfile.open(os.path.join(OUT, "members.tar.gz"), "w:gz", format=tarfile.PAX_FORMAT) as t:
    for name, data in [("top/short.txt", b"short\n"), (LONG, TEXT), ("top/empty.txt", b"")]:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    d = tarfile.TarInfo("top/dir")
    d.type = tarfile.DIRTYPE
    t.addfile(d)
print("wrote", os.listdir(OUT))
