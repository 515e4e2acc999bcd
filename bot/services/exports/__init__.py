"""Files made from digests and roll-ups: charts (PNG), workbooks (Excel, CSV), the formal
report (Word). Each module imports its heavy library inside its functions, so a bot that
never makes a file never loads matplotlib, XlsxWriter or python-docx (a test checks this)."""
