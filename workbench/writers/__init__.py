"""Writers of the source formats the workbench reads: how the demo case and the tests make their own samples.

The real files of a case come from customers and cannot ship; these write the same formats (event logs,
Procmon captures) so that every parser can be exercised, in the demo and in tests, without the shared
fixtures. Nothing here is used to read a case.
"""
