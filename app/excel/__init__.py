"""Every spreadsheet the app reads or writes.

- ``guard``: checks an upload (size, zip bomb, Excel's limits, the app's row and cell limits, a .xls's
  Compound File chains) before anything heavy opens it.
- ``reader``: the rows of an .xlsx or .xls, read with python-calamine after the guard.
- ``writer``: the one safe cell writer (text that looks like a formula stays text, Hà Nội time, no illegal
  characters); every .xlsx the app writes goes through it.
- ``mau01``: the blank Mẫu 01, the credential sheet, the upload returned with its errors.
"""
