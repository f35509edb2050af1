"""Schemathesis hooks for tools/api-fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

POST /api/dossiers/{code}/documents takes the raw bytes of a scan with
`Content-Type: application/pdf`; its OpenAPI schema describes that body as an
array of byte values (how utoipa spells `Vec<u8>`). Schemathesis has no
serializer for application/pdf and would report "Serialization not possible"
for that operation instead of testing it, so this module adds one:

- an array of integers goes out as those bytes (each value modulo 256): the
  server recognises files by their content, so random bytes exercise its 415;
- an empty array goes out as a minimal well-formed one-page PDF, so that the
  success path (201, then listing and downloading the stored document) is
  exercised too;
- bytes go out unchanged; anything else (negative testing) as its JSON text.
"""

import base64
import json

import schemathesis

MINIMAL_PDF = base64.b64decode(
    "JVBERi0xLjQKMSAwIG9iago8PC9UeXBlL0NhdGFsb2cvUGFnZXMgMiAwIFI+PgplbmRvYmoKMiAwIG9iago8PC9UeXBlL1BhZ2VzL0tpZHNb"
    "MyAwIFJdL0NvdW50IDE+PgplbmRvYmoKMyAwIG9iago8PC9UeXBlL1BhZ2UvUGFyZW50IDIgMCBSL01lZGlhQm94WzAgMCAxIDFdPj4KZW5k"
    "b2JqCnhyZWYKMCA0CjAwMDAwMDAwMDAgNjU1MzUgZiAKMDAwMDAwMDAwOSAwMDAwMCBuIAowMDAwMDAwMDU0IDAwMDAwIG4gCjAwMDAwMDAx"
    "MDUgMDAwMDAgbiAKdHJhaWxlcgo8PC9TaXplIDQvUm9vdCAxIDAgUj4+CnN0YXJ0eHJlZgoxNjYKJSVFT0YK"
)


@schemathesis.serializer("application/pdf")
def pdf_body(ctx, value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        if not value:
            return MINIMAL_PDF
        return bytes(v % 256 for v in value)
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
